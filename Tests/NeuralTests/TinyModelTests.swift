import Foundation
import Neural
import XCTest

/// The small model from scripts/litert_reference.py against LiteRT: every operator, with the odd
/// sizes the MediaPipe networks never use (channel counts off multiples of 8, VALID padding, an
/// odd SAME leftover, 5x5 at stride 2, fp16 weights, PAD, RESIZE_BILINEAR, CONCATENATION, MEAN).
final class TinyModelTests: XCTestCase {
    func testEveryOperatorMatchesLiteRT() throws {
        let manifest = try Fixtures.manifest()
        guard let entry = manifest.models.first(where: { $0.model == "tiny" }) else {
            return XCTFail("manifest has no tiny model: rerun `\(Fixtures.referenceCommand)`")
        }
        let bytes = try Fixtures.tinyModelBytes()
        for backend in MatrixBackend.allCases {
            let model = try TFLiteModel(bytes: bytes, name: "tiny.tflite", backend: backend)
            XCTAssertEqual(model.outputNames, entry.outputs.map(\.name))
            for threads in [1, 2, 3] {
                let interpreter = try Interpreter(model: model, threads: threads)
                XCTAssertEqual(interpreter.inputShape(0), entry.input_shape)
                var worst: Float = 0
                for input in entry.inputs {
                    let pixels = try Fixtures.floats("tiny.\(input).input.f32")
                    interpreter.withInput(0) { _ = $0.update(fromContentsOf: pixels) }
                    interpreter.invoke()
                    for k in 0..<entry.outputs.count {
                        let expected = try Fixtures.floats("tiny.\(input).out\(k).f32")
                        XCTAssertEqual(interpreter.outputShape(k), entry.outputs[k].shape)
                        interpreter.withOutput(k) { actual in
                            XCTAssertEqual(actual.count, expected.count)
                            // Relative to the value (above 1): the outputs reach tens, and the random
                            // weights sum terms of a few units that cancel, so fp32 summation order
                            // alone moves outputs by up to ~1e-5. A wrong operator is off by 1e-2 or more.
                            for i in 0..<min(actual.count, expected.count) {
                                worst = max(worst, abs(actual[i] - expected[i]) / max(1, abs(expected[i])))
                            }
                        }
                    }
                }
                XCTAssertLessThanOrEqual(worst, 5e-5, "\(backend), \(threads) threads: max |error| / max(1, |value|)")
                if threads == 1 { print("faithfulness tiny \(backend): max |error| / max(1, |value|) = \(worst)") }
            }
        }
    }
}
