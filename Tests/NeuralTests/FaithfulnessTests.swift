import Foundation
import Neural
import XCTest

/// Our engine against LiteRT (XNNPACK, fp32) on the same inputs: real frames and synthetic patterns.
final class FaithfulnessTests: XCTestCase {
    /// Largest |ours − LiteRT| per output over all reference inputs of a network.
    /// With `sigmoid`, errors are taken after 1/(1+e^-x) on both sides (palm score logits → scores).
    func maximumErrors(_ network: HandNetwork, threads: Int = 1, sigmoid: Bool = false, backend: MatrixBackend = .packed) throws -> [Float] {
        let manifest = try Fixtures.manifest()
        guard let entry = manifest.models.first(where: { $0.model == network.rawValue }) else {
            XCTFail("manifest has no entry for \(network.rawValue): rerun `\(Fixtures.referenceCommand)`")
            return []
        }
        let interpreter = try Interpreter(model: try Fixtures.model(network, backend: backend), threads: threads)
        XCTAssertEqual(interpreter.inputShape(0), entry.input_shape)
        XCTAssertEqual(interpreter.outputCount, entry.outputs.count)
        XCTAssertEqual(interpreter.model.outputNames, entry.outputs.map(\.name), "output order must follow LiteRT's")
        var worst = [Float](repeating: 0, count: entry.outputs.count)
        for input in entry.inputs {
            let stem = "\(network.rawValue).\(input)"
            let pixels = try Fixtures.floats("\(stem).input.f32")
            interpreter.withInput(0) { buffer in
                XCTAssertEqual(buffer.count, pixels.count)
                _ = buffer.update(fromContentsOf: pixels)
            }
            interpreter.invoke()
            for (k, output) in entry.outputs.enumerated() {
                XCTAssertEqual(interpreter.outputShape(k), output.shape)
                let expected = try Fixtures.floats("\(stem).out\(k).f32")
                interpreter.withOutput(k) { actual in
                    XCTAssertEqual(actual.count, expected.count)
                    for i in 0..<min(actual.count, expected.count) {
                        let error = sigmoid ? abs(1 / (1 + exp(-actual[i])) - 1 / (1 + exp(-expected[i]))) : abs(actual[i] - expected[i])
                        worst[k] = max(worst[k], error.isNaN ? .infinity : error)
                    }
                }
            }
        }
        print("faithfulness \(network.rawValue) \(backend) threads \(threads)\(sigmoid ? " (after sigmoid)" : ""): max |error| per output \(worst.map { String(format: "%.3g", $0) })")
        return worst
    }

    /// Landmarks in 224-crop pixels within 1e-3; presence, handedness and world landmarks within 1e-5.
    func checkLandmarks(_ network: HandNetwork, backend: MatrixBackend = .packed) throws {
        for threads in [1, 2] {
            let worst = try maximumErrors(network, threads: threads, backend: backend)
            guard worst.count == 4 else { return XCTFail("expected 4 outputs") }
            XCTAssertLessThanOrEqual(worst[0], 1e-3, "landmarks (pixels)")
            XCTAssertLessThanOrEqual(worst[1], 1e-5, "presence")
            XCTAssertLessThanOrEqual(worst[2], 1e-5, "handedness")
            XCTAssertLessThanOrEqual(worst[3], 1e-5, "world landmarks (m)")
        }
    }

    /// Boxes and keypoints in 192-input pixels within 1e-3; scores (sigmoid of the logits, as
    /// MediaPipe decodes them) within 1e-5. The raw logits reach |x| ≈ 22, where fp32 summation order
    /// alone moves them by ~3e-5: LiteRT's own two CPU paths (XNNPACK and its builtin reference
    /// kernels) differ by 2.9e-5 on these inputs, so the logits are held to 5e-5.
    func checkPalm(_ network: HandNetwork, backend: MatrixBackend = .packed) throws {
        for threads in [1, 2] {
            let worst = try maximumErrors(network, threads: threads, backend: backend)
            guard worst.count == 2 else { return XCTFail("expected 2 outputs") }
            XCTAssertLessThanOrEqual(worst[0], 1e-3, "boxes and keypoints (pixels)")
            XCTAssertLessThanOrEqual(worst[1], 5e-5, "score logits")
            let scores = try maximumErrors(network, threads: threads, sigmoid: true, backend: backend)
            XCTAssertLessThanOrEqual(scores[1], 1e-5, "scores (sigmoid of the logits)")
        }
    }

    func testHandLandmarkFullMatchesLiteRT() throws { try checkLandmarks(.handLandmarkFull) }
    func testHandLandmarkLiteMatchesLiteRT() throws { try checkLandmarks(.handLandmarkLite) }
    func testPalmDetectionFullMatchesLiteRT() throws { try checkPalm(.palmDetectionFull) }
    func testPalmDetectionLiteMatchesLiteRT() throws { try checkPalm(.palmDetectionLite) }
    /// The OpenBLAS reference path, on the two networks that use every operator between them.
    func testOpenBLASBackendMatchesLiteRT() throws {
        try checkLandmarks(.handLandmarkFull, backend: .openBLAS)
        try checkPalm(.palmDetectionFull, backend: .openBLAS)
    }
}
