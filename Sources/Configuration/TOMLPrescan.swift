/// Refuses, before the C++ parser behind TOMLKit sees them, the inputs on which it asserts and
/// aborts the process instead of reporting an error: toml++ 3 (`parse_table_header`) calls
/// `parse_key` without checking that a key starts there, so `[#x]` or `[[\u{FFFD}streams]]`
/// crash it, and its array parser hands a `}` to `parse_value`, so `a = [}` does. Found by the
/// config fuzz test. TOML 1.0 allows only ASCII outside strings and
/// comments, and a table header must start with a key, so no valid file is refused here.
enum TOMLPrescan {
    /// The line and column (from 1, in bytes) of the first character that is not allowed, if any,
    /// and what was wrong.
    static func firstProblem(in text: String) -> (line: Int, column: Int, message: String)? {
        enum State { case normal, comment, basic, literal, multilineBasic, multilineLiteral }
        let bytes = Array(text.utf8)
        var state = State.normal
        var line = 1
        var lineStart = 0
        var i = 0
        // Brackets and braces open inside a value: a `[` that starts a line outside any value
        // begins a table header.
        var inValue = false
        var open: [UInt8] = []
        var atLineStart = true
        func starts(_ pattern: StaticString, at index: Int) -> Bool {
            pattern.withUTF8Buffer { p in
                index + p.count <= bytes.count && (0..<p.count).allSatisfy { bytes[index + $0] == p[$0] }
            }
        }
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\n") {
                line += 1
                lineStart = i + 1
                if state == .comment || state == .basic || state == .literal {
                    // Single-line strings end at the line's end; the parser reports the unterminated string.
                    state = .normal
                }
                if state == .normal, open.isEmpty {
                    inValue = false
                }
                atLineStart = true
                i += 1
                continue
            }
            let lineStartHere = atLineStart && byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t")
            if lineStartHere { atLineStart = false }
            switch state {
            case .normal:
                if byte >= 0x80 {
                    return (line, i - lineStart + 1, "a non-ASCII character outside a string or comment")
                }
                if lineStartHere, !inValue, byte == UInt8(ascii: "[") {
                    var j = i + 1
                    if j < bytes.count, bytes[j] == UInt8(ascii: "[") { j += 1 }
                    while j < bytes.count, bytes[j] == UInt8(ascii: " ") || bytes[j] == UInt8(ascii: "\t") { j += 1 }
                    if j < bytes.count, !isKeyStart(bytes[j]) {
                        return (line, j - lineStart + 1, "a table header must start with a key")
                    }
                    i = j
                    continue
                }
                if byte == UInt8(ascii: "=") {
                    inValue = true
                } else if inValue, byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") {
                    open.append(byte)
                } else if inValue, byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                    // toml++ parses an array element at a '}' without checking for it (parse_value asserts).
                    if byte == UInt8(ascii: "}"), open.last == UInt8(ascii: "[") {
                        return (line, i - lineStart + 1, "'}' inside an array")
                    }
                    _ = open.popLast()
                }
                if byte == UInt8(ascii: "#") {
                    state = .comment
                } else if starts("\"\"\"", at: i) {
                    state = .multilineBasic
                    i += 2
                } else if starts("'''", at: i) {
                    state = .multilineLiteral
                    i += 2
                } else if byte == UInt8(ascii: "\"") {
                    state = .basic
                } else if byte == UInt8(ascii: "'") {
                    state = .literal
                }
            case .comment:
                break
            case .basic:
                if byte == UInt8(ascii: "\\") {
                    i += 1
                } else if byte == UInt8(ascii: "\"") {
                    state = .normal
                }
            case .literal:
                if byte == UInt8(ascii: "'") { state = .normal }
            case .multilineBasic:
                if byte == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] != UInt8(ascii: "\n") {
                    i += 1
                } else if starts("\"\"\"", at: i) {
                    state = .normal
                    i += 2
                }
            case .multilineLiteral:
                if starts("'''", at: i) {
                    state = .normal
                    i += 2
                }
            }
            i += 1
        }
        return nil
    }

    private static func isKeyStart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "]"):
            true
        default:
            false
        }
    }
}
