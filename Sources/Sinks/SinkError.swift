/// A sink could not be opened; `description` is one line naming the sink and the cause.
public struct SinkError: Error, CustomStringConvertible, Sendable {
    public let sink: String
    public let message: String

    public init(sink: String, message: String) {
        self.sink = sink
        self.message = message
    }

    public var description: String { "output \(sink): \(message)" }
}
