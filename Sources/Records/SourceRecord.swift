/// The input went away or came back.
public struct SourceRecord: Sendable {
    public enum Event: String, Sendable {
        case lost
        case reconnected
    }

    public var stream: String
    public var event: Event
    /// Why the input was lost (for `lost`).
    public var reason: String?
    /// Which reconnection attempt succeeded, from 1 (for `reconnected`).
    public var attempt: Int?
    public var time: Double

    public init(stream: String, event: Event, reason: String? = nil, attempt: Int? = nil, time: Double) {
        self.stream = stream
        self.event = event
        self.reason = reason
        self.attempt = attempt
        self.time = time
    }

    public func encode(into json: inout JSONWriter) {
        json.recordPrologue(.source, stream: stream)
        json.key("event"); json.string(event.rawValue)
        if let reason {
            json.key("reason"); json.string(reason)
        }
        if let attempt {
            json.key("attempt"); json.int(attempt)
        }
        json.key("time"); json.number(time, decimals: 6)
        json.endObject()
    }
}
