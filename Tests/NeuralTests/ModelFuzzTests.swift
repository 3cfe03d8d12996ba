import Foundation
import Neural
import XCTest

/// Mutation fuzzing of the TFLite reader and planner on the real model files: every mutated file
/// must either load (and then run) or throw a `ModelError` naming the file; never crash or hang.
///
/// The suite runs 5,000 mutations (about 5 s). The long runs:
///   HANDMESH_FUZZ_ITERATIONS=100000 swift test -c release --filter ModelFuzzTests          (~5 min)
///   HANDMESH_FUZZ_ITERATIONS=100000 HANDMESH_FUZZ_SEED=7 ASAN_OPTIONS=detect_leaks=0 \
///     swift test -c release --sanitize=address --filter ModelFuzzTests                     (~11 min)
/// (LeakSanitizer flags objects XCTest itself keeps at exit, hence detect_leaks=0.)
/// HANDMESH_FUZZ_SEED picks another deterministic sequence.
final class ModelFuzzTests: XCTestCase {
    /// SplitMix64: a fixed, seedable sequence, so a failing iteration can be replayed.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    /// Values that tend to break length and offset arithmetic.
    static let interesting: [UInt32] = [0, 1, 2, 3, 4, 8, 16, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FFFE]

    /// A position mostly in the flatbuffer's tables (the first and last kilobytes of the real files
    /// hold the root, vtables, tensors and operators; the middle is weight data).
    static func position(_ random: inout Random, count: Int) -> Int {
        guard count > 100_000 else { return random.below(count) }
        switch random.below(10) {
        case 0...3: return random.below(4096)
        case 4...8: return count - 1 - random.below(65_536)
        default: return random.below(count)
        }
    }

    /// Applies one to four mutations; returns the (possibly resized) file.
    static func mutate(_ original: [UInt8], _ random: inout Random) -> [UInt8] {
        var bytes = original
        for _ in 0...random.below(4) {
            guard !bytes.isEmpty else { break }
            let at = position(&random, count: bytes.count)
            switch random.below(7) {
            case 0: bytes[at] ^= UInt8(1 << random.below(8))
            case 1: bytes[at] = UInt8(truncatingIfNeeded: random.next())
            case 2, 3:
                let value = interesting[random.below(interesting.count)] &+ UInt32(bitPattern: Int32(random.below(5) - 2))
                for i in 0..<4 where at + i < bytes.count { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
            case 4: bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.below(16)))
            case 5: bytes.insert(contentsOf: (0...random.below(16)).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: at)
            default: bytes.removeSubrange(at...)
            }
        }
        return bytes
    }

    func testMutatedModelsFailCleanly() throws {
        let environment = ProcessInfo.processInfo.environment
        let iterations = environment["HANDMESH_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 5000
        var random = Random(state: environment["HANDMESH_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_251_121)
        let networks: [HandNetwork] = [.handLandmarkLite, .palmDetectionLite, .handLandmarkFull, .palmDetectionFull]
        // The tiny every-operator model parses and runs in microseconds, so most mutations go to it
        // (and every one that loads is run); the real files get one mutation in eight.
        let tiny = try Fixtures.tinyModelBytes()
        let originals = try networks.map { try Fixtures.modelBytes($0) }
        var loaded = 0, rejected = 0, invoked = 0
        var problems: [String: Int] = [:]
        for iteration in 0..<iterations {
            let real = random.below(8) == 0
            let bytes = Self.mutate(real ? originals[random.below(originals.count)] : tiny, &random)
            let name = "mutant-\(iteration).tflite"
            do {
                // Every third mutant on OpenBLAS, and of the rest every other one in int8 (fp32 where
                // the CPU lacks VNNI): NaN and huge weights must not trap the int8 lowering either.
                let model = try TFLiteModel(bytes: bytes, name: name, backend: iteration % 3 == 0 ? .openBLAS : .packed,
                                            precision: iteration % 2 == 0 ? .int8 : .float32)
                loaded += 1
                // A real network costs milliseconds to run; run a sample of those that load.
                if !real || loaded % 20 == 1 {
                    let interpreter = try Interpreter(model: model, threads: 1 + iteration % 2)
                    interpreter.invoke()
                    invoked += 1
                }
            } catch let error as ModelError {
                XCTAssertEqual(error.file, name)
                XCTAssertFalse(error.problem.isEmpty)
                problems[String(error.problem.prefix(24)), default: 0] += 1
                rejected += 1
            }
            if iterations >= 20_000, (iteration + 1) % 10_000 == 0 {
                print("fuzz: \(iteration + 1) of \(iterations) (loaded \(loaded), rejected \(rejected), invoked \(invoked))")
            }
        }
        print("fuzz: \(iterations) mutated models: \(loaded) loaded (\(invoked) run), \(rejected) rejected with a ModelError; \(problems.count) kinds of error")
        XCTAssertGreaterThan(rejected, iterations / 10, "the mutations should reach the checks")
    }
}
