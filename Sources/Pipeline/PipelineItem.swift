import Records

/// What travels through the pipeline's queues: frames for the stages, records that must keep
/// their place among the frames (drops, losses, damage), and the end of the stream.
enum PipelineItem: Sendable {
    case work(FrameWork)
    case record(Record)
    case finish(SourceTotals)
}

/// What the decoder counted, handed to the sink stage for the end record.
struct SourceTotals: Sendable {
    var reason: EndRecord.Reason = .eof
    var decoded = 0
    var dropped = 0
    var corrupt = 0
    var losses = 0
    var reconnects = 0
    var detail: String?
}
