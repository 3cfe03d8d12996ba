import Fitting
import Foundation
import HandModel
import Silhouette
import XCTest

/// `handmesh train mask-regressor --from-fits`: the fits reach the samples, and the same seed
/// gives the same weights.
final class MaskRegressorFromFitsTests: XCTestCase {
    func testTrainingFromFitsIsDeterministicAndUsesTheFits() {
        let model = HandModel.builtIn(side: .right)
        var rng = SeededRandom(seed: 3)
        let pose = PoseSampler(model: model).sample(&rng)
        let fits = [FittedFrame(source: "test", index: 0, globalOrient: SIMD3(-1.5, 0, 0.2), pose: pose,
                                shape: [Double](repeating: 0.5, count: 10))]
        var o = MaskRegressorTrainingOptions.quick
        o.steps = 4; o.batchSize = 8; o.validationSize = 8
        var all = SelfAugmentation()
        all.realShare = 1
        let (a, _) = MaskRegressorTraining.train(model: model, options: o, fits: fits, augmentation: all)
        let (b, _) = MaskRegressorTraining.train(model: model, options: o, fits: fits, augmentation: all)
        let (modelOnly, _) = MaskRegressorTraining.train(model: model, options: o)
        XCTAssertEqual(a.network, b.network)
        XCTAssertNotEqual(a.network, modelOnly.network)
    }
}
