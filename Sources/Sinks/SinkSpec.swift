/// Where records go, as written on the command line or in the config:
/// `ndjson:-` (stdout), `ndjson:PATH` (a file), `unix:PATH` (a socket server),
/// `mqtt://HOST[:PORT]/TOPIC` (`mqtts://` with TLS; a broker), or `view:[HOST:]PORT` (the live view in
/// a browser; HOST defaults to 127.0.0.1, loopback only).
public enum SinkSpec: Sendable, Equatable, CustomStringConvertible {
    case standardOutput
    case file(path: String)
    case unixSocket(path: String)
    case mqtt(MQTTAddress)
    case view(host: String, port: Int)

    public init(parsing text: String) throws {
        if text == "-" || text == "ndjson:-" {
            self = .standardOutput
        } else if text.hasPrefix("ndjson:"), text.count > "ndjson:".count {
            self = .file(path: String(text.dropFirst("ndjson:".count)))
        } else if text.hasPrefix("unix:"), text.count > "unix:".count {
            self = .unixSocket(path: String(text.dropFirst("unix:".count)))
        } else if text.hasPrefix("mqtt://") || text.hasPrefix("mqtts://") {
            self = .mqtt(try MQTTAddress(parsing: text))
        } else if text.hasPrefix("view:") {
            let address = text.dropFirst("view:".count)
            let host = address.lastIndex(of: ":").map { String(address[..<$0]) } ?? "127.0.0.1"
            let portText = address.lastIndex(of: ":").map { String(address[address.index(after: $0)...]) } ?? String(address)
            guard let port = Int(portText), (0...65535).contains(port) else {
                throw SinkError(sink: text, message: "the port must be a number from 0 to 65535; expected view:PORT or view:HOST:PORT")
            }
            guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) else {
                throw SinkError(sink: text, message: "the host must be an IPv4 address or a name; expected view:PORT or view:HOST:PORT")
            }
            self = .view(host: host, port: port)
        } else {
            throw SinkError(sink: text, message: "unknown output; expected ndjson:-, ndjson:PATH, unix:PATH, mqtt://HOST[:PORT]/TOPIC or view:[HOST:]PORT")
        }
    }

    public var description: String {
        switch self {
        case .standardOutput: "ndjson:-"
        case .file(let path): "ndjson:\(path)"
        case .unixSocket(let path): "unix:\(path)"
        case .mqtt(let address): address.description
        case .view(let host, let port): "view:\(host):\(port)"
        }
    }
}
