import Fitting
import HandModel
import XCTest

final class ProcrustesTests: XCTestCase {
    func testRecoversAKnownSimilarity() {
        var rng = SeededRandom(seed: 3)
        let source = (0..<21).map { _ in SIMD3(rng.gaussian(), rng.gaussian(), rng.gaussian()) * 0.05 }
        let r = AxisAngle.matrix(SIMD3(0.4, -1.9, 0.7))
        let t = SIMD3(0.1, -0.2, 0.5)
        let target = source.map { 1.3 * (r * $0) + t }
        let sim = Procrustes.align(source, to: target)
        XCTAssertEqual(sim.scale, 1.3, accuracy: 1e-9)
        for (a, b) in zip(source, target) {
            let d = sim.apply(a) - b
            XCTAssertLessThan((d * d).sum().squareRoot(), 1e-9)
        }
        XCTAssertEqual(Procrustes.alignedMeanDistance(source, target), 0, accuracy: 1e-9)
        // Rigid alignment keeps scale one and leaves the size difference as error.
        XCTAssertEqual(Procrustes.align(source, to: target, withScale: false).scale, 1)
        XCTAssertGreaterThan(Procrustes.alignedMeanDistance(source, target, withScale: false), 1e-3)
    }

    func testAxisAngleRoundTripsIncludingNearPi() {
        for w in [SIMD3(0.0, 0, 0), SIMD3(1e-7, 0, 0), SIMD3(0.3, -0.2, 0.9), SIMD3(0, 0, 3.1415), SIMD3(1.7, 1.7, -1.0)] {
            let back = AxisAngle.vector(AxisAngle.matrix(w))
            let r1 = AxisAngle.matrix(w), r2 = AxisAngle.matrix(back)
            for (a, b) in [(r1.c0, r2.c0), (r1.c1, r2.c1), (r1.c2, r2.c2)] {
                XCTAssertLessThan(((a - b) * (a - b)).sum().squareRoot(), 1e-6, "\(w)")
            }
        }
    }
}
