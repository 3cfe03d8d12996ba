/// The last record of a stream: why it ended and what happened to every frame.
/// `decoded == processed + dropped` always holds.
public struct EndRecord: Sendable {
    public enum Reason: String, Sendable {
        /// The input ended.
        case eof
        /// The process was told to stop (SIGINT, SIGTERM) and drained.
        case stopped
        /// The input failed and could not be recovered.
        case failed
    }

    public var stream: String
    public var reason: Reason
    public var decoded: Int
    public var processed: Int
    public var dropped: Int
    /// Corrupt packets skipped, summed over all `error` records.
    public var corrupt: Int
    public var losses: Int
    public var reconnects: Int
    /// Records an output had to drop (an MQTT broker away longer than its buffer lasts).
    public var outputDropped: Int
    /// Wall-clock seconds from the header to this record.
    public var seconds: Double
    /// What went wrong, for `failed`.
    public var detail: String?
    public var time: Double

    public init(stream: String, reason: Reason, decoded: Int, processed: Int, dropped: Int, corrupt: Int,
                losses: Int, reconnects: Int, outputDropped: Int = 0, seconds: Double, detail: String? = nil, time: Double) {
        self.stream = stream
        self.reason = reason
        self.decoded = decoded
        self.processed = processed
        self.dropped = dropped
        self.corrupt = corrupt
        self.losses = losses
        self.reconnects = reconnects
        self.outputDropped = outputDropped
        self.seconds = seconds
        self.detail = detail
        self.time = time
    }

    public func encode(into json: inout JSONWriter) {
        json.recordPrologue(.end, stream: stream)
        json.key("reason"); json.string(reason.rawValue)
        json.key("decoded"); json.int(decoded)
        json.key("processed"); json.int(processed)
        json.key("dropped"); json.int(dropped)
        json.key("corrupt"); json.int(corrupt)
        json.key("losses"); json.int(losses)
        json.key("reconnects"); json.int(reconnects)
        json.key("output_dropped"); json.int(outputDropped)
        json.key("seconds"); json.number(seconds, decimals: 3)
        if let detail {
            json.key("detail"); json.string(detail)
        }
        json.key("time"); json.number(time, decimals: 6)
        json.endObject()
    }
}
