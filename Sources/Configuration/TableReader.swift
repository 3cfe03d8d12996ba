import TOMLKit

/// Reads one TOML table by key, checking each value's type and range, and remembers which keys
/// it was asked for so that `finish()` can reject the ones nobody reads (typos, misplaced keys).
struct TableReader {
    let table: TOMLTable
    /// The key path of this table (`streams[1].camera`), empty at the top level.
    let path: String
    let file: String
    private var read: Set<String> = []

    init(_ table: TOMLTable, path: String, file: String) {
        self.table = table
        self.path = path
        self.file = file
    }

    func keyPath(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    func error(_ key: String, _ message: String) -> ConfigError {
        ConfigError(file: file, location: keyPath(key), message: message)
    }

    private mutating func value(_ key: String) -> TOMLValueConvertible? {
        read.insert(key)
        return table[key]
    }

    func has(_ key: String) -> Bool {
        table[key] != nil
    }

    mutating func string(_ key: String, expected: String = "a string") throws -> String? {
        guard let value = value(key) else { return nil }
        guard let string = value.string else { throw mismatch(key, value, expected: expected) }
        return string
    }

    mutating func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard let bool = value.bool else { throw mismatch(key, value, expected: "true or false") }
        return bool
    }

    /// A value that is true, false or one of `choices`, as a string ("true", "false" or the choice).
    mutating func flagOrChoice(_ key: String, choices: [String]) throws -> String? {
        guard let value = value(key) else { return nil }
        if let bool = value.bool { return bool ? "true" : "false" }
        if let string = value.string, choices.contains(string) { return string }
        throw mismatch(key, value, expected: "true, false, " + choices.map { "\"\($0)\"" }.joined(separator: ", "))
    }

    mutating func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = value(key) else { return nil }
        let expected = "an integer from \(range.lowerBound) to \(range.upperBound)"
        guard let int = value.int else { throw mismatch(key, value, expected: expected) }
        guard range.contains(int) else { throw error(key, "expected \(expected), got \(int)") }
        return int
    }

    /// A number; TOML integers count too, since `fx = 600` means 600.0.
    mutating func double(_ key: String, expected: String, valid: (Double) -> Bool) throws -> Double? {
        guard let value = value(key) else { return nil }
        let number: Double
        if let double = value.double {
            number = double
        } else if let int = value.int {
            number = Double(int)
        } else {
            throw mismatch(key, value, expected: expected)
        }
        guard number.isFinite, valid(number) else { throw error(key, "expected \(expected), got \(number)") }
        return number
    }

    mutating func stringArray(_ key: String, expected: String) throws -> [String]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else { throw mismatch(key, value, expected: expected) }
        var strings: [String] = []
        for (i, element) in array.enumerated() {
            guard let string = element.string else {
                throw ConfigError(file: file, location: "\(keyPath(key))[\(i)]",
                                  message: "expected a string, got \(Self.describe(element))")
            }
            strings.append(string)
        }
        return strings
    }

    mutating func table(_ key: String) throws -> TableReader? {
        guard let value = value(key) else { return nil }
        guard let table = value.table else { throw mismatch(key, value, expected: "a table") }
        return TableReader(table, path: keyPath(key), file: file)
    }

    mutating func tableArray(_ key: String) throws -> [TableReader]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else { throw mismatch(key, value, expected: "an array of tables ([[\(key)]])") }
        var tables: [TableReader] = []
        for (i, element) in array.enumerated() {
            guard let table = element.table else {
                throw ConfigError(file: file, location: "\(keyPath(key))[\(i)]",
                                  message: "expected a table, got \(Self.describe(element))")
            }
            tables.append(TableReader(table, path: "\(keyPath(key))[\(i)]", file: file))
        }
        return tables
    }

    /// Rejects keys that were never asked for, naming the first and listing the known ones.
    func finish(known: [String]) throws {
        for key in table.keys where !read.contains(key) {
            throw error(key, "unknown key; expected one of: \(known.joined(separator: ", "))")
        }
    }

    private func mismatch(_ key: String, _ value: TOMLValueConvertible, expected: String) -> ConfigError {
        error(key, "expected \(expected), got \(Self.describe(value))")
    }

    static func describe(_ value: TOMLValueConvertible) -> String {
        switch value.type {
        case .string:
            return ConfigError.quoted(value.string ?? "")
        case .int: return String(value.int ?? 0)
        case .double: return String(value.double ?? 0)
        case .bool: return String(value.bool ?? false)
        default: return "a \(value.type)"
        }
    }
}
