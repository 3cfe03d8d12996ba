/// Where records go, as written on the command line or in the config:
/// `ndjson:-` (stdout), `ndjson:PATH` (a file) or `unix:PATH` (a socket server).
public enum SinkSpec: Sendable, Equatable, CustomStringConvertible {
    case standardOutput
    case file(path: String)
    case unixSocket(path: String)

    public init(parsing text: String) throws {
        if text == "-" || text == "ndjson:-" {
            self = .standardOutput
        } else if text.hasPrefix("ndjson:"), text.count > "ndjson:".count {
            self = .file(path: String(text.dropFirst("ndjson:".count)))
        } else if text.hasPrefix("unix:"), text.count > "unix:".count {
            self = .unixSocket(path: String(text.dropFirst("unix:".count)))
        } else {
            throw SinkError(sink: text, message: "unknown output; expected ndjson:-, ndjson:PATH or unix:PATH")
        }
    }

    public var description: String {
        switch self {
        case .standardOutput: "ndjson:-"
        case .file(let path): "ndjson:\(path)"
        case .unixSocket(let path): "unix:\(path)"
        }
    }
}
