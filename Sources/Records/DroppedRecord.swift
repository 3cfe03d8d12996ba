/// One run of consecutive frames that a live source delivered while the pipeline was busy, and
/// that were therefore dropped at the entrance instead of queueing up latency.
public struct DroppedRecord: Sendable {
    public var stream: String
    public var count: Int
    public var firstIndex: Int
    public var lastIndex: Int
    /// When the run ended, seconds since the Unix epoch.
    public var time: Double

    public init(stream: String, count: Int, firstIndex: Int, lastIndex: Int, time: Double) {
        self.stream = stream
        self.count = count
        self.firstIndex = firstIndex
        self.lastIndex = lastIndex
        self.time = time
    }

    public func encode(into json: inout JSONWriter) {
        json.recordPrologue(.dropped, stream: stream)
        json.key("count"); json.int(count)
        json.key("first_index"); json.int(firstIndex)
        json.key("last_index"); json.int(lastIndex)
        json.key("time"); json.number(time, decimals: 6)
        json.endObject()
    }
}
