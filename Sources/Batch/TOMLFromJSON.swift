import Foundation

/// A manifest line's overrides, JSON, as TOML keys for the config's own reader, so that a video's
/// settings are checked exactly as the config's are (same ranges, same messages).
enum TOMLFromJSON {
    struct Unsupported: Error {
        let key: String
        let why: String
    }

    static func keys(_ object: [String: Any]) throws -> String {
        try object.keys.sorted().map { key in
            "\(try bareKey(key)) = \(try value(object[key]!, key: key))\n"
        }.joined()
    }

    private static func bareKey(_ key: String) throws -> String {
        guard !key.isEmpty, key.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") }) else {
            throw Unsupported(key: key, why: "not a setting's name")
        }
        return key
    }

    private static func value(_ value: Any, key: String) throws -> String {
        switch value {
        // JSON's true and false come as NSNumbers of C type char; its numbers never do.
        case let number as NSNumber where String(cString: number.objCType) == "c":
            return number.boolValue ? "true" : "false"
        case let number as NSNumber:
            let double = number.doubleValue
            guard double.isFinite else { throw Unsupported(key: key, why: "not a finite number") }
            if double == double.rounded(), abs(double) < 1e15, !"\(number)".contains(".") { return String(Int64(double)) }
            return "\(double)"
        case let string as String:
            // JSON's string escapes are TOML's basic-string escapes for everything JSON writes.
            let data = try JSONSerialization.data(withJSONObject: [string], options: [.withoutEscapingSlashes])
            let text = String(decoding: data, as: UTF8.self)
            return String(text.dropFirst().dropLast())
        case let table as [String: Any]:
            let inner = try table.keys.sorted().map { "\(try bareKey($0)) = \(try Self.value(table[$0]!, key: key + "." + $0))" }
            return "{" + inner.joined(separator: ", ") + "}"
        case let array as [Any]:
            return "[" + (try array.map { try Self.value($0, key: key) }).joined(separator: ", ") + "]"
        default:
            throw Unsupported(key: key, why: "null or an unknown kind of value")
        }
    }
}
