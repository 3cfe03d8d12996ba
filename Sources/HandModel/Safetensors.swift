import Foundation

/// The safetensors container (https://github.com/huggingface/safetensors): an 8-byte little-endian
/// header length N, N bytes of JSON mapping tensor names to dtype, shape and [begin, end) byte
/// offsets into the data that follows, then the raw little-endian data.
///
/// Reading checks everything before touching the data: the header length against the file size,
/// the header as a JSON object, each dtype, each shape (non-negative integers whose product does not
/// overflow), each byte range against its shape and the data size, and that the ranges neither
/// overlap nor leave holes (the format requires the data to be fully indexed). Any violation is a
/// `HandModelError` naming the file and the problem.
public struct Safetensors: Sendable, Equatable {
    public enum DType: String, Sendable, CaseIterable {
        case f64 = "F64", f32 = "F32", i64 = "I64", i32 = "I32"
        public var size: Int { self == .f64 || self == .i64 ? 8 : 4 }
    }

    public struct Tensor: Sendable, Equatable {
        public var dtype: DType
        public var shape: [Int]
        /// Raw little-endian bytes.
        public var bytes: [UInt8]

        public var count: Int { shape.reduce(1, *) }

        public init(dtype: DType, shape: [Int], bytes: [UInt8]) {
            self.dtype = dtype
            self.shape = shape
            self.bytes = bytes
        }

        public init(doubles: [Double], shape: [Int]) {
            precondition(shape.reduce(1, *) == doubles.count, "shape \(shape) does not hold \(doubles.count) values")
            self.init(dtype: .f64, shape: shape, bytes: doubles.flatMap { v -> [UInt8] in
                withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) }
            })
        }

        public init(int32s: [Int32], shape: [Int]) {
            precondition(shape.reduce(1, *) == int32s.count, "shape \(shape) does not hold \(int32s.count) values")
            self.init(dtype: .i32, shape: shape, bytes: int32s.flatMap { v -> [UInt8] in
                withUnsafeBytes(of: v.littleEndian) { Array($0) }
            })
        }

        /// The values as doubles, whatever the stored type.
        public var doubles: [Double] {
            bytes.withUnsafeBytes { raw -> [Double] in
                (0..<count).map { i in
                    let o = i * dtype.size
                    switch dtype {
                    case .f64: return Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
                    case .f32: return Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: UInt32.self))))
                    case .i64: return Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: Int64.self)))
                    case .i32: return Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: o, as: Int32.self)))
                    }
                }
            }
        }
    }

    public var tensors: [String: Tensor]
    public var metadata: [String: String]

    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Largest header accepted; the reference implementation uses the same 100 MB cap.
    static let maximumHeaderLength = 100_000_000

    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw HandModelError(url.path, "cannot read the file (\(error.localizedDescription))")
        }
        try self.init(data: data, source: url.path)
    }

    public init(data: Data, source: String) throws {
        func fail(_ problem: String) -> HandModelError { HandModelError(source, "not a valid safetensors file: \(problem)") }
        let bytes = [UInt8](data)
        guard bytes.count >= 8 else { throw fail("\(bytes.count) bytes, too short for the 8-byte header length") }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard length <= UInt64(Self.maximumHeaderLength) else { throw fail("header length \(length) exceeds \(Self.maximumHeaderLength) bytes") }
        guard length <= UInt64(bytes.count - 8) else { throw fail("header length \(length) runs past the end of the \(bytes.count)-byte file") }
        let headerEnd = 8 + Int(length)
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd])) } catch {
            throw fail("the header is not valid JSON")
        }
        guard let header = json as? [String: Any] else { throw fail("the header is not a JSON object") }
        let dataSize = bytes.count - headerEnd
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        var ranges: [(begin: Int, end: Int, name: String)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in m {
                    guard let s = v as? String else { throw fail("metadata value of \"\(k)\" is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let entry = value as? [String: Any] else { throw fail("tensor \"\(name)\" is not an object") }
            guard let dtypeName = entry["dtype"] as? String else { throw fail("tensor \"\(name)\" has no dtype") }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw fail("tensor \"\(name)\" has dtype \(dtypeName); supported: \(DType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let shapeValues = entry["shape"] as? [Any] else { throw fail("tensor \"\(name)\" has no shape list") }
            var shape: [Int] = []
            var count = 1
            for s in shapeValues {
                guard let n = Self.integer(s), n >= 0 else { throw fail("tensor \"\(name)\" has a shape entry that is not a non-negative integer") }
                let (product, overflow) = count.multipliedReportingOverflow(by: n)
                guard !overflow, product <= dataSize else { throw fail("tensor \"\(name)\" has shape \(shapeValues) larger than the data") }
                shape.append(n)
                count = product
            }
            guard let offsets = entry["data_offsets"] as? [Any], offsets.count == 2,
                  let begin = Self.integer(offsets[0]), let end = Self.integer(offsets[1]) else {
                throw fail("tensor \"\(name)\" needs data_offsets [begin, end] of integers")
            }
            guard begin >= 0, begin <= end, end <= dataSize else {
                throw fail("tensor \"\(name)\" has data_offsets [\(begin), \(end)] outside the \(dataSize) data bytes")
            }
            guard end - begin == count * dtype.size else {
                throw fail("tensor \"\(name)\" spans \(end - begin) bytes but shape \(shape) of \(dtypeName) needs \(count * dtype.size)")
            }
            ranges.append((begin, end, name))
            tensors[name] = Tensor(dtype: dtype, shape: shape, bytes: Array(bytes[(headerEnd + begin)..<(headerEnd + end)]))
        }
        ranges.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var covered = 0
        for r in ranges {
            guard r.begin >= covered else { throw fail("tensor \"\(r.name)\" overlaps the tensor before it") }
            guard r.begin == covered else { throw fail("bytes \(covered)..<\(r.begin) before tensor \"\(r.name)\" belong to no tensor") }
            covered = r.end
        }
        guard covered == dataSize else { throw fail("bytes \(covered)..<\(dataSize) at the end belong to no tensor") }
        self.tensors = tensors
        self.metadata = metadata
    }

    /// JSON numbers arrive as NSNumber; only exact integers count (sizes are checked against the data anyway).
    private static func integer(_ v: Any) -> Int? {
        if let n = v as? NSNumber {
            let d = n.doubleValue
            guard d.rounded() == d, abs(d) < 9e15 else { return nil }
            return n.intValue
        }
        return nil
    }

    /// The file's bytes: tensors in name order, header padded with spaces to a multiple of 8 bytes
    /// as the reference writer does, so the data stays aligned.
    public func serialized() -> Data {
        var entries: [String] = []
        var body: [UInt8] = []
        if !metadata.isEmpty {
            let m = metadata.keys.sorted().map { "\(Self.jsonString($0)):\(Self.jsonString(metadata[$0]!))" }
            entries.append("\"__metadata__\":{\(m.joined(separator: ","))}")
        }
        for name in tensors.keys.sorted() {
            let t = tensors[name]!
            let begin = body.count
            body += t.bytes
            entries.append("\(Self.jsonString(name)):{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(begin),\(body.count)]}")
        }
        var header = Array("{\(entries.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + header.count + body.count)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out += $0 }
        out += header
        out += body
        return Data(out)
    }

    public func write(to url: URL) throws {
        do { try serialized().write(to: url, options: .atomic) } catch {
            throw HandModelError(url.path, "cannot write the file (\(error.localizedDescription))")
        }
    }

    private static func jsonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
