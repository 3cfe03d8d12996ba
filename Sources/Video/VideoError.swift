/// An input that cannot be opened or read: one line naming the input and what is wrong.
public struct VideoError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The input as the user wrote it (path, URL, `-`, `lavfi:…`).
    public let input: String
    /// What is wrong, in lower case, without the input's name.
    public let message: String

    public init(input: String, message: String) {
        self.input = input
        // Logs and `error` records are line-oriented; a stray newline from FFmpeg text would split one error in two.
        self.message = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    public var description: String {
        let shown = input.allSatisfy(\.isWhitespace) ? "(empty input)" : input
        return "\(shown): \(message)"
    }
}
