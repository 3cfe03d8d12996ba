import Fitting
import Foundation
import HandModel
import XCTest

final class RegressorTrainingTests: XCTestCase {
    /// What CI's `handmesh train regressor --quick` runs: the short training lowers the
    /// validation loss, and the weights survive a safetensors round trip exactly.
    func testQuickTrainingReducesLossAndRoundTrips() throws {
        let model = HandModel.builtIn(side: .right)
        let (regressor, report) = RegressorTraining.train(model: model, options: .quick)
        XCTAssertLessThan(report.finalValidationLoss, 0.7 * report.initialValidationLoss)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fitting-tests-regressor-\(getpid()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try regressor.write(to: url)
        let back = try HandRegressor(contentsOf: url)
        XCTAssertEqual(back.network, regressor.network)
        XCTAssertEqual(back.start, regressor.start)
    }

    /// A file with a wrongly shaped layer is refused with a message naming it.
    func testRejectsMismatchedWeights() throws {
        let r = HandRegressor(meanPose: [Double](repeating: 0, count: 45), seed: 1)
        var file = r.safetensors()
        file.tensors["layer0.weight"] = Safetensors.Tensor(dtype: .f32, shape: [2, 3], bytes: [UInt8](repeating: 0, count: 24))
        XCTAssertThrowsError(try HandRegressor(safetensors: file, source: "test.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("layer0.weight"), "\(error)")
        }
    }

    /// Even the short training estimates pose far better than the untrained start on fresh hands.
    func testRegressorEstimatesPoseFromSyntheticEvidence() throws {
        let model = HandModel.builtIn(side: .right)
        let (regressor, _) = RegressorTraining.train(model: model, options: .quick)
        let untrained = HandRegressor(meanPose: model.meanPose, seed: 3)
        var generator = RegressorSampleGenerator(model: model)
        var rng = SeededRandom(seed: 77)
        var features = [Float](repeating: 0, count: HandRegressor.inputCount)
        var target = [Float](repeating: 0, count: HandRegressor.estimateCount)
        var trainedError = 0.0, untrainedError = 0.0
        for _ in 0..<100 {
            features.withUnsafeMutableBufferPointer { f in target.withUnsafeMutableBufferPointer { generator.sample(&rng, features: f, target: $0) } }
            for (r, acc) in [(regressor, 0), (untrained, 1)] {
                var input = features
                for i in 0..<HandRegressor.estimateCount { input[HandRegressor.evidenceFeatures + i] = r.start[i] }
                var ws = MultilayerPerceptron.Workspace(for: r.network)
                var out = [Float](repeating: 0, count: HandRegressor.estimateCount)
                for _ in 0..<HandRegressor.passes {
                    input.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { r.network.forward(x, into: $0, workspace: &ws) } }
                    for i in 0..<HandRegressor.estimateCount { input[HandRegressor.evidenceFeatures + i] += out[i] }
                }
                var e = 0.0
                for i in 0..<51 { e += Double(abs(input[HandRegressor.evidenceFeatures + i] - target[i])) }
                if acc == 0 { trainedError += e } else { untrainedError += e }
            }
        }
        XCTAssertLessThan(trainedError, 0.7 * untrainedError)
    }
}
