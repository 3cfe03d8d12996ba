import Fitting
import XCTest

final class OneEuroFilterTests: XCTestCase {
    func testFirstSamplePassesAndConstantsStayConstant() {
        var f = OneEuroFilter(channels: 2, parameters: OneEuroParameters(minCutoff: 1, beta: 0))
        var v = [3.0, -1.0]
        f.filter(&v, time: 0)
        XCTAssertEqual(v, [3, -1])
        for i in 1...30 {
            v = [3, -1]
            f.filter(&v, time: Double(i) / 30)
            XCTAssertEqual(v[0], 3, accuracy: 1e-12)
            XCTAssertEqual(v[1], -1, accuracy: 1e-12)
        }
    }

    /// With beta zero the filter is the paper's exponential smoother with alpha from the cutoff.
    func testZeroBetaIsAFirstOrderLowPass() {
        let fc = 2.0, dt = 1.0 / 30
        var f = OneEuroFilter(channels: 1, parameters: OneEuroParameters(minCutoff: fc, beta: 0))
        var v = [0.0]
        f.filter(&v, time: 0)
        let alpha = 1 / (1 + 1 / (2 * Double.pi * fc) / dt)
        var expected = 0.0
        for i in 1...10 {
            v = [1]
            f.filter(&v, time: Double(i) * dt)
            expected += alpha * (1 - expected)
            XCTAssertEqual(v[0], expected, accuracy: 1e-12)
        }
    }

    /// Jitter is reduced when still; a larger beta follows fast motion with less lag.
    func testSmoothsJitterAndBetaReducesLag() {
        var rng = SeededRandom(seed: 9)
        var still = OneEuroFilter(channels: 1, parameters: OneEuroParameters(minCutoff: 1, beta: 0))
        var rawVar = 0.0, filteredVar = 0.0
        for i in 0..<300 {
            let noise = 0.01 * rng.gaussian()
            var v = [noise]
            still.filter(&v, time: Double(i) / 30)
            if i > 30 { rawVar += noise * noise; filteredVar += v[0] * v[0] }
        }
        XCTAssertLessThan(filteredVar, 0.25 * rawVar)

        func lagError(beta: Double) -> Double {
            var f = OneEuroFilter(channels: 1, parameters: OneEuroParameters(minCutoff: 1, beta: beta))
            var err = 0.0
            for i in 0..<60 {
                let x = 2.0 * Double(i) / 30  // a ramp at 2 units/s
                var v = [x]
                f.filter(&v, time: Double(i) / 30)
                err += abs(v[0] - x)
            }
            return err
        }
        XCTAssertLessThan(lagError(beta: 2), 0.5 * lagError(beta: 0))
    }

    func testResetForgetsHistory() {
        var f = OneEuroFilter(channels: 1, parameters: OneEuroParameters(minCutoff: 1, beta: 0))
        var v = [0.0]
        f.filter(&v, time: 0)
        f.reset()
        v = [5]
        f.filter(&v, time: 0.1)
        XCTAssertEqual(v[0], 5)
    }
}
