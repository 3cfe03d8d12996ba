/// `HOST`, `HOST:PORT`, `[IPv6]` or `[IPv6]:PORT` split in two, for the outputs and endpoints
/// that name a network address. The caller checks and defaults the parts.
public struct HostAndPort: Sendable, Equatable {
    public var host: Substring
    public var port: Substring?

    /// nil when a bracket is left open or something other than `:PORT` follows it.
    public init?(_ text: Substring) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { return nil }
            port = after.isEmpty ? nil : after.dropFirst()
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        } else {
            host = text
        }
    }

    /// The port as a number from 1 to 65535, or nil.
    public var portNumber: Int? {
        port.flatMap { Int($0) }.flatMap { (1...65535).contains($0) ? $0 : nil }
    }
}
