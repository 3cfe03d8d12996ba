import Fitting
import XCTest

final class RobustLossTests: XCTestCase {
    /// The IRLS weight is rho'(s): compare with a finite difference of rho.
    func testWeightIsTheDerivativeOfRho() {
        for loss in [RobustLoss.none, .huber(threshold: 2), .cauchy(scale: 1.5)] {
            for s in [0.01, 0.5, 3.9, 4.1, 10, 100] {
                let h = 1e-6 * max(1, s)
                let d = (loss.rho(s + h) - loss.rho(s - h)) / (2 * h)
                XCTAssertEqual(loss.weight(s), d, accuracy: 1e-6, "\(loss) at \(s)")
            }
            XCTAssertEqual(loss.rho(1e-8), 1e-8, accuracy: 1e-12)
        }
        // Beyond the threshold Huber grows linearly in |r|.
        let huber = RobustLoss.huber(threshold: 1)
        XCTAssertEqual(huber.rho(100) - huber.rho(81), 2 * (10 - 9), accuracy: 1e-12)
    }
}
