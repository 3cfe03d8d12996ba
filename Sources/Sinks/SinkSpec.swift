/// Where records go, as written on the command line or in the config:
/// `ndjson:-` (stdout), `ndjson:PATH` (a file), `unix:PATH` (a socket server) or
/// `mqtt://HOST[:PORT]/TOPIC` (`mqtts://` with TLS; a broker).
public enum SinkSpec: Sendable, Equatable, CustomStringConvertible {
    case standardOutput
    case file(path: String)
    case unixSocket(path: String)
    case mqtt(MQTTAddress)

    public init(parsing text: String) throws {
        if text == "-" || text == "ndjson:-" {
            self = .standardOutput
        } else if text.hasPrefix("ndjson:"), text.count > "ndjson:".count {
            self = .file(path: String(text.dropFirst("ndjson:".count)))
        } else if text.hasPrefix("unix:"), text.count > "unix:".count {
            self = .unixSocket(path: String(text.dropFirst("unix:".count)))
        } else if text.hasPrefix("mqtt://") || text.hasPrefix("mqtts://") {
            self = .mqtt(try MQTTAddress(parsing: text))
        } else {
            throw SinkError(sink: text, message: "unknown output; expected ndjson:-, ndjson:PATH, unix:PATH or mqtt://HOST[:PORT]/TOPIC")
        }
    }

    public var description: String {
        switch self {
        case .standardOutput: "ndjson:-"
        case .file(let path): "ndjson:\(path)"
        case .unixSocket(let path): "unix:\(path)"
        case .mqtt(let address): address.description
        }
    }
}
