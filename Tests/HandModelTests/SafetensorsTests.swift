import Foundation
import HandModel
import XCTest

/// The safetensors reader's bounds checks, one malformed case at a time, then a mutation fuzz loop:
/// whatever the bytes, reading either succeeds or throws an error naming the file, never crashes.
final class SafetensorsTests: XCTestCase {
    let source = "test.safetensors"

    func sample() -> Safetensors {
        Safetensors(tensors: [
            "a": .init(doubles: [1, 2, 3, 4, 5, 6], shape: [2, 3]),
            "b": .init(int32s: [7, -8], shape: [2]),
            "c": .init(dtype: .f32, shape: [1], bytes: withUnsafeBytes(of: Float(2.5).bitPattern.littleEndian) { Array($0) }),
        ], metadata: ["k": "v \"quoted\""])
    }

    /// A file from a literal header and data.
    func file(header: String, data: [UInt8]) -> Data {
        let h = Array(header.utf8)
        var out = [UInt8]()
        withUnsafeBytes(of: UInt64(h.count).littleEndian) { out += $0 }
        return Data(out + h + data)
    }

    func assertRejected(_ data: Data, _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Safetensors(data: data, source: source), file: file, line: line) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("\(source): not a valid safetensors file: "), text, file: file, line: line)
            XCTAssertTrue(text.contains(reason), "\(text) should mention \(reason)", file: file, line: line)
        }
    }

    func testRoundTrip() throws {
        let s = sample()
        let read = try Safetensors(data: s.serialized(), source: source)
        XCTAssertEqual(read, s)
        XCTAssertEqual(read.tensors["a"]!.doubles, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(read.tensors["b"]!.doubles, [7, -8])
        XCTAssertEqual(read.tensors["c"]!.doubles, [2.5])
        XCTAssertEqual(read.metadata["k"], "v \"quoted\"")
    }

    func testReadsAFileWrittenByTheReferenceLayout() throws {
        // Hand-written like the reference writer's output: F32 tensor [2], little-endian 1.0 and -2.0.
        let data = file(header: #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: [0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0])
        XCTAssertEqual(try Safetensors(data: data, source: source).tensors["x"]?.doubles, [1, -2])
    }

    func testMalformedFilesGiveOneClearError() {
        assertRejected(Data([1, 2, 3]), "too short")
        assertRejected(Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]), "exceeds")
        assertRejected(Data([64, 0, 0, 0, 0, 0, 0, 0, 0x7B]), "runs past the end")
        assertRejected(file(header: "{not json", data: []), "not valid JSON")
        assertRejected(file(header: "[1,2]", data: []), "not a JSON object")
        assertRejected(file(header: #"{"x":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}"#, data: [0, 0]), "dtype BF16")
        assertRejected(file(header: #"{"x":{"dtype":"F64","shape":[-1],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)), "shape entry")
        assertRejected(file(header: #"{"x":{"dtype":"F64","shape":[1.5],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)), "shape entry")
        assertRejected(file(header: #"{"x":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)), "larger than the data")
        assertRejected(file(header: #"{"x":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8)), "needs 16")
        assertRejected(file(header: #"{"x":{"dtype":"F64","shape":[1],"data_offsets":[0,16]}}"#, data: [UInt8](repeating: 0, count: 8)), "outside")
        assertRejected(file(header: #"{"x":{"dtype":"F64","shape":[1],"data_offsets":[8,0]}}"#, data: [UInt8](repeating: 0, count: 8)), "outside")
        assertRejected(file(header: #"{"x":{"dtype":"F64","shape":[1]}}"#, data: [UInt8](repeating: 0, count: 8)), "data_offsets")
        assertRejected(file(header: #"{"x":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
                            data: [UInt8](repeating: 0, count: 8)), "overlaps")
        assertRejected(file(header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: [UInt8](repeating: 0, count: 8)), "belong to no tensor")
        assertRejected(file(header: #"{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: [UInt8](repeating: 0, count: 8)), "at the end belong to no tensor")
        assertRejected(file(header: #"{"__metadata__":{"a":1}}"#, data: []), "metadata")
    }

    func testUnreadableFileNamesThePath() {
        let url = URL(fileURLWithPath: "/nonexistent/model.safetensors")
        XCTAssertThrowsError(try Safetensors(contentsOf: url)) { XCTAssertTrue("\($0)".hasPrefix(url.path + ": cannot read")) }
    }

    /// Mutation fuzzing: flip, overwrite, insert, delete and truncate bytes of valid files (the sample
    /// and a real model) for a fixed number of rounds with a fixed seed. The property is only that
    /// nothing crashes and every failure is the reader's own error; the loader on top must then also
    /// either build a model or throw.
    func testFuzzedFilesNeverCrash() {
        var rng = ForwardFunctionTests.SplitMix(s: 42)
        func index(_ n: Int) -> Int { Int((rng.next() + 1) / 2 * Double(n)) % max(n, 1) }
        let seeds = [sample().serialized(), HandModel.builtIn(side: .right).tensors.safetensors.serialized()]
        let structural = Array("{}[],:\"0123456789-e.".utf8)
        var accepted = 0, rejected = 0
        for round in 0..<3000 {
            var bytes = [UInt8](seeds[round % 2 == 0 ? 0 : 1])
            // Mostly mutate the header, where the structure lives.
            let headerLength = min(bytes.count, 8 + Int(bytes[0]) + Int(bytes[1]) << 8 + Int(bytes[2]) << 16)
            for _ in 0..<(1 + index(4)) {
                let at = rng.next() > -0.6 ? index(min(headerLength, bytes.count)) : index(bytes.count)
                switch index(5) {
                case 0: bytes[at] ^= UInt8(1 << index(8))
                case 1: bytes[at] = UInt8(index(256))
                case 2: bytes.insert(structural[index(structural.count)], at: at)
                case 3: if bytes.count > 1 { bytes.remove(at: at) }
                default: bytes = Array(bytes.prefix(at))
                }
                if bytes.isEmpty { break }
            }
            do {
                let file = try Safetensors(data: Data(bytes), source: source)
                accepted += 1
                if round % 2 == 1, let tensors = try? HandModelTensors(safetensors: file, source: source) {
                    _ = try? HandModel(tensors: tensors, side: .right)
                }
            } catch let error as HandModelError {
                XCTAssertEqual(error.source, source)
                rejected += 1
            } catch {
                XCTFail("unexpected error type \(error)")
            }
        }
        print("safetensors fuzz: \(accepted) mutated files read, \(rejected) rejected with an error")
        XCTAssertGreaterThan(rejected, 1000)
    }
}
