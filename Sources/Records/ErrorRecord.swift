/// Something in the input was damaged and skipped; processing went on past it.
public struct ErrorRecord: Sendable {
    public enum Kind: String, Sendable {
        /// Packets that failed to demux or decode.
        case corrupt
    }

    public var stream: String
    public var kind: Kind
    /// How many packets were skipped.
    public var packets: Int
    /// FFmpeg's account of what was wrong.
    public var detail: String
    /// The index of the last frame decoded before the damage, or nil if none was.
    public var afterIndex: Int?
    public var time: Double

    public init(stream: String, kind: Kind, packets: Int, detail: String, afterIndex: Int?, time: Double) {
        self.stream = stream
        self.kind = kind
        self.packets = packets
        self.detail = detail
        self.afterIndex = afterIndex
        self.time = time
    }

    public func encode(into json: inout JSONWriter) {
        json.recordPrologue(.error, stream: stream)
        json.key("kind"); json.string(kind.rawValue)
        json.key("packets"); json.int(packets)
        json.key("detail"); json.string(detail)
        json.key("after_index")
        if let afterIndex {
            json.int(afterIndex)
        } else {
            json.null()
        }
        json.key("time"); json.number(time, decimals: 6)
        json.endObject()
    }
}
