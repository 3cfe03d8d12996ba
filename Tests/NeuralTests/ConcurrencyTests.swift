import Dispatch
import Foundation
import Neural
import XCTest

/// One shared model, one interpreter per pipeline: concurrent runs give exactly the sequential results.
final class ConcurrencyTests: XCTestCase {
    static func pattern(_ count: Int, seed: Int) -> [Float] {
        (0..<count).map { Float(($0 &* 2_654_435_761 &+ seed) % 1000) / 999 }
    }

    static func outputs(_ interpreter: Interpreter) -> [[Float]] {
        (0..<interpreter.outputCount).map { k in interpreter.withOutput(k) { Array($0) } }
    }

    static func run(_ interpreter: Interpreter, _ input: [Float]) -> [[Float]] {
        interpreter.withInput(0) { _ = $0.update(fromContentsOf: input) }
        interpreter.invoke()
        return Self.outputs(interpreter)
    }

    func testThreadCountDoesNotChangeResults() throws {
        // int8 too: its activations are quantized on one grid per tensor, whatever the split.
        for precision in Precision.allCases {
            let model = try Fixtures.model(.palmDetectionLite, precision: precision)
            let input = Self.pattern(192 * 192 * 3, seed: 1)
            let one = Self.run(try Interpreter(model: model, threads: 1), input)
            XCTAssertEqual(Self.run(try Interpreter(model: model, threads: 2), input), one, "\(precision)")
            XCTAssertEqual(Self.run(try Interpreter(model: model, threads: 4), input), one, "\(precision)")
        }
    }

    func testInterpretersSharingAModelRunConcurrently() throws {
        let model = try Fixtures.model(.handLandmarkLite)
        let inputs = (0..<4).map { Self.pattern(224 * 224 * 3, seed: $0) }
        let expected = try inputs.map { Self.run(try Interpreter(model: model), $0) }
        // Each worker owns interpreter i for the whole loop; the array is only read.
        nonisolated(unsafe) let interpreters = try (0..<4).map { try Interpreter(model: model, threads: 1 + $0 % 2) }
        let results = ResultBox(count: 4)
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            let interpreter = interpreters[i]
            var last: [[Float]] = []
            for _ in 0..<5 { last = Self.run(interpreter, inputs[i]) }
            results.set(i, last)
        }
        for i in 0..<4 { XCTAssertEqual(results.get(i), expected[i], "pipeline \(i)") }
    }

    /// Outputs, written once per index from the workers.
    final class ResultBox: @unchecked Sendable {
        private var values: [[[Float]]]
        private let lock = NSLock()
        init(count: Int) { values = Array(repeating: [], count: count) }
        func set(_ i: Int, _ value: [[Float]]) { lock.withLock { values[i] = value } }
        func get(_ i: Int) -> [[Float]] { lock.withLock { values[i] } }
    }
}
