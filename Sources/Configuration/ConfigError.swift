/// A config file that cannot be used: one line naming the file, the key path
/// (`streams[1].camera.fx`) or the position, and what was expected.
public struct ConfigError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    /// Where in the file: a key path, or `line L, column C` for syntax errors.
    public let location: String
    public let message: String

    public init(file: String, location: String, message: String) {
        self.file = file
        self.location = location
        self.message = message
    }

    public var description: String {
        location.isEmpty ? "\(file): \(message)" : "\(file): \(location): \(message)"
    }
}

extension ConfigError {
    /// Longest value a message quotes: a 10 MB string in a config must not become a 10 MB log line.
    static let maxQuoted = 80

    /// `text` in quotes, cut to `maxQuoted` characters with an ellipsis.
    static func quoted(_ text: String) -> String {
        text.count > maxQuoted ? "\"\(text.prefix(maxQuoted))…\"" : "\"\(text)\""
    }
}
