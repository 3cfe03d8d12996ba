/// Where an MQTT output publishes: `mqtt://HOST[:PORT]/TOPIC`, or `mqtts://` for TLS.
/// The port defaults to 1883 (8883 with TLS); HOST may be a bracketed IPv6 address; the topic
/// is a publish topic, so it may not hold the wildcards `+` and `#`.
public struct MQTTAddress: Sendable, Equatable, CustomStringConvertible {
    public var tls: Bool
    public var host: String
    public var port: Int
    public var topic: String

    public init(tls: Bool, host: String, port: Int, topic: String) {
        self.tls = tls
        self.host = host
        self.port = port
        self.topic = topic
    }

    public static let expected = "expected mqtt://HOST[:PORT]/TOPIC or mqtts://HOST[:PORT]/TOPIC"

    /// Throws one line naming what is wrong with `text`.
    public init(parsing text: String) throws {
        func fail(_ why: String) -> SinkError { SinkError(sink: text, message: "\(why); \(Self.expected)") }
        let tls: Bool
        let rest: Substring
        if text.hasPrefix("mqtt://") {
            tls = false
            rest = text.dropFirst("mqtt://".count)
        } else if text.hasPrefix("mqtts://") {
            tls = true
            rest = text.dropFirst("mqtts://".count)
        } else {
            throw fail("not an MQTT URL")
        }
        guard let slash = rest.firstIndex(of: "/") else { throw fail("no topic") }
        let authority = rest[..<slash]
        let topic = String(rest[rest.index(after: slash)...])
        guard !authority.contains("@") else {
            throw fail("credentials do not belong in the URL (set mqtt_credentials in the config)")
        }
        guard let parts = HostAndPort(authority) else { throw fail("the host \"\(authority)\" is not HOST, HOST:PORT or [IPv6]:PORT") }
        let host = parts.host
        guard !host.isEmpty else { throw fail("no host") }
        guard host.allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != "/" && $0 != "?" && $0 != "#" }) else {
            throw fail("the host \"\(host)\" is not a host name or address")
        }
        var port = tls ? 8883 : 1883
        if let portText = parts.port {
            guard let value = parts.portNumber else {
                throw fail("the port \"\(portText)\" is not a number from 1 to 65535")
            }
            port = value
        }
        guard !topic.isEmpty else { throw fail("no topic") }
        guard !topic.contains("+"), !topic.contains("#") else {
            throw fail("the topic \"\(topic)\" holds a wildcard (+ or #), which only subscribers may use")
        }
        guard topic.utf8.count <= 65535, !topic.unicodeScalars.contains(where: { $0.value == 0 }) else {
            throw fail("the topic is longer than 65535 bytes or holds a NUL")
        }
        self.init(tls: tls, host: String(host), port: port, topic: topic)
    }

    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "\(tls ? "mqtts" : "mqtt")://\(shownHost):\(port)/\(topic)"
    }
}
