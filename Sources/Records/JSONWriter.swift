/// Writes JSON into one growing byte buffer that the caller keeps and reuses, so encoding a record
/// on the per-frame path costs no allocation once the buffer has grown to its working size.
///
/// Keys come out in the order they are written, which makes every record's bytes deterministic.
/// Numbers are written with a fixed number of decimals (trailing zeros trimmed) instead of the
/// shortest round-trip form: it is faster, allocates nothing, and a tenth of a micrometre or a
/// hundredth of a pixel is all the precision the records carry. Non-finite numbers become `null`
/// so that a line is always valid JSON.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8]
    /// Whether the next value is the first inside its object or array (so it needs no comma).
    private var atFirst = true

    public init(capacity: Int = 4096) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Empties the buffer, keeping its storage.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        atFirst = true
    }

    public mutating func newline() {
        bytes.append(UInt8(ascii: "\n"))
        atFirst = true
    }

    // MARK: Containers

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        atFirst = true
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        atFirst = false
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        atFirst = true
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        atFirst = false
    }

    /// A key known at compile time; it is written as is, so it must need no escaping.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        atFirst = true
    }

    /// A key chosen at run time (a stage name), escaped like any string.
    public mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        atFirst = true
    }

    // MARK: Scalars

    public mutating func null() {
        separate()
        appendASCII("null")
    }

    public mutating func bool(_ value: Bool) {
        separate()
        appendASCII(value ? "true" : "false")
    }

    public mutating func string(_ value: String) {
        separate()
        appendQuoted(value)
    }

    public mutating func int(_ value: Int) {
        separate()
        appendInteger(value)
    }

    /// A number rounded to `decimals` places (0...9).
    public mutating func number(_ value: Double, decimals: Int) {
        separate()
        appendFixed(value, decimals: decimals)
    }

    public mutating func number(_ value: Float, decimals: Int) {
        number(Double(value), decimals: decimals)
    }

    /// A flat array of numbers written as rows of `stride` (21 landmarks of [x, y] from 42 floats).
    /// A trailing incomplete row is left out rather than written with a wrong shape.
    public mutating func rows(_ values: [Float], stride: Int, decimals: Int) {
        beginArray()
        var start = 0
        while start + stride <= values.count {
            beginArray()
            for i in start..<(start + stride) {
                number(values[i], decimals: decimals)
            }
            endArray()
            start += stride
        }
        endArray()
    }

    public mutating func numbers(_ values: [Float], decimals: Int) {
        beginArray()
        for value in values {
            number(value, decimals: decimals)
        }
        endArray()
    }

    public mutating func numbers(_ values: [Double], decimals: Int) {
        beginArray()
        for value in values {
            number(value, decimals: decimals)
        }
        endArray()
    }

    public mutating func strings(_ values: [String]) {
        beginArray()
        for value in values {
            string(value)
        }
        endArray()
    }

    // MARK: Bytes

    private mutating func separate() {
        if atFirst {
            atFirst = false
        } else {
            bytes.append(UInt8(ascii: ","))
        }
    }

    private mutating func appendASCII(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): appendASCII("\\\"")
            case UInt8(ascii: "\\"): appendASCII("\\\\")
            case UInt8(ascii: "\n"): appendASCII("\\n")
            case UInt8(ascii: "\r"): appendASCII("\\r")
            case UInt8(ascii: "\t"): appendASCII("\\t")
            case 0..<0x20, 0x7F:
                appendASCII("\\u00")
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0xF)])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    private static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]

    private mutating func appendInteger(_ value: Int) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
        }
        appendDigits(value.magnitude, minimumDigits: 1)
    }

    /// Digits of `value`, left-padded with zeros to `minimumDigits`, written in place without a
    /// temporary string.
    private mutating func appendDigits(_ value: UInt, minimumDigits: Int) {
        let start = bytes.count
        var rest = value
        var written = 0
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
            written += 1
        } while rest > 0 || written < minimumDigits
        bytes[start...].reverse()
    }

    private mutating func appendFixed(_ value: Double, decimals: Int) {
        guard value.isFinite else {
            appendASCII("null")
            return
        }
        let places = min(max(decimals, 0), Self.powersOfTen.count - 1)
        let scale = Self.powersOfTen[places]
        let scaled = (value.magnitude * scale).rounded()
        // Beyond 2^53 the fixed form loses digits; such values do not occur in records, but if
        // one does it is still written exactly, through the (allocating) shortest form.
        guard scaled < 9.0e15 else {
            let text = value.description
            bytes.append(contentsOf: text.utf8)
            return
        }
        let units = UInt(scaled)
        if units == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
        }
        let divisor = UInt(scale)
        appendDigits(units / divisor, minimumDigits: 1)
        var fraction = units % divisor
        guard fraction != 0 else { return }
        var digits = places
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        bytes.append(UInt8(ascii: "."))
        appendDigits(fraction, minimumDigits: digits)
    }
}
