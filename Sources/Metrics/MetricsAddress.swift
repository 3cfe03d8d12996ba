import Sinks

/// Where the metrics endpoint listens: `unix:PATH`, or `HOST:PORT` on a loopback address
/// (127.0.0.0/8, `[::1]`, `localhost`). Metrics name streams, inputs and sockets, so they are never
/// served on a public address; a scraper elsewhere goes through a proxy or an SSH tunnel.
public enum MetricsAddress: Sendable, Equatable, CustomStringConvertible {
    case unix(path: String)
    case tcp(host: String, port: Int)

    public static let expected = "expected unix:PATH or a loopback HOST:PORT (127.0.0.1:9464, [::1]:9464, localhost:9464)"

    /// Throws a one-line message naming what is wrong.
    public init(parsing text: String) throws {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst(5))
            guard !path.isEmpty, path.utf8.count < 108 else {
                throw MetricsError("metrics \(text): the socket path must be 1 to 107 bytes")
            }
            self = .unix(path: path)
            return
        }
        guard let parts = HostAndPort(Substring(text)), let portText = parts.port else {
            throw MetricsError("metrics \(text): \(Self.expected)")
        }
        var host = parts.host
        guard let port = parts.portNumber else {
            throw MetricsError("metrics \(text): the port \"\(portText)\" is not a number from 1 to 65535")
        }
        if host == "localhost" { host = "127.0.0.1" }
        guard Self.isLoopback(String(host)) else {
            throw MetricsError("metrics \(text): \(host) is not a loopback address; metrics are served on loopback or a unix socket only")
        }
        self = .tcp(host: String(host), port: port)
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return false }
        return parts[0] == "127"
    }

    public var description: String {
        switch self {
        case .unix(let path): "unix:\(path)"
        case .tcp(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}

public struct MetricsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
