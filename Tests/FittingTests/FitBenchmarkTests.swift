import Fitting
import HandModel
import XCTest

/// `handmesh bench fit` draws its hands at the landmark network's proportions, or with
/// `--model-proportions` at the model's own (as issue 6 measured): either way its fitter must
/// expect the proportions the hands have, or the recovery figure measures the mismatch.
final class FitBenchmarkTests: XCTestCase {
    let model = HandModel.builtIn(side: .right)
    let camera = PinholeCamera(fx: 900, fy: 900, cx: 360, cy: 360)

    /// Noise-free evidence, regressed and refined: 1.24 mm median at the landmark network's
    /// proportions, 1.36 at the model's (the priors keep it off zero). A fitter expecting the other
    /// proportions read 6.71 and 7.90 mm (with the PIP and DIP world landmarks out of cold fits,
    /// where the right one read 1.50 and 1.83), so the bound of 3 fails if the bench's fitter does
    /// not take the hands' proportions.
    func testNoiseFreeHandsAreRecoveredAtEitherProportions() throws {
        for landmark in [true, false] {
            var clean = EvidenceSynthesizer.clean
            clean.landmarkProportions = landmark
            let r = FitBenchmark.recovery(model: model, regressor: try HandRegressor.bundled(), camera: camera, width: 720, height: 720,
                                          hands: 40, seed: 7, synthesizer: clean)
            print(String(format: "%@ proportions, noise-free: PA-MPJPE %.3f mm mean, %.3f median",
                         landmark ? "landmark network's" : "model's", r.paMPJPE, r.paMPJPEMedian))
            XCTAssertLessThan(r.paMPJPEMedian, 3, landmark ? "landmark proportions" : "model proportions")
        }
    }
}
