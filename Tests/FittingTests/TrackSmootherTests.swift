import Fitting
import XCTest

/// The smoother against an independent computation: the RTS recursion's fixed-interval estimate is
/// the most probable path of the same linear-Gaussian model, which the test finds by solving the
/// model's whole normal equations at once (a dense solve over every frame's position and velocity).
final class TrackSmootherTests: XCTestCase {
    let noise = SmootherNoise(rotationProcess: 20, translationProcess: 0.05, rotationMeasurement: 0.05, translationMeasurement: 0.003)

    func testAFullWindowIsTheBatchSolutionOfTheSameModel() {
        var rng = SeededRandom(seed: 3)
        let frames = 40
        var times: [Double] = [], signal: [Double] = []
        for f in 0..<frames {
            // Uneven frame times, as a variable-rate file has.
            let t: Double = Double(f) / 30 + (f % 3 == 0 ? 0.004 : 0)
            times.append(t)
            signal.append(sin(3 * t) + 0.05 * rng.gaussian())
        }
        let smoothed = runSmoother(channel: 5, values: signal, times: times, lag: frames)
        let batch = batchSolution(values: signal, times: times, q: noise.rotationProcess, r: noise.rotationMeasurement)
        for t in 0..<frames { XCTAssertEqual(smoothed[t], batch[t], accuracy: 1e-9, "frame \(t)") }
        // Translation channels use their own noise.
        let small = signal.map { 0.05 * $0 }
        let smoothedT = runSmoother(channel: 59, values: small, times: times, lag: frames)
        let batchT = batchSolution(values: small, times: times, q: noise.translationProcess, r: noise.translationMeasurement)
        for t in 0..<frames { XCTAssertEqual(smoothedT[t], batchT[t], accuracy: 1e-9, "frame \(t)") }
    }

    /// The standard lag is within a hair of the whole-track estimate on a moving, noisy signal.
    func testTheStandardLagIsAsGoodAsTheWholeTrack() {
        var rng = SeededRandom(seed: 5)
        let times: [Double] = (0..<200).map { Double($0) / 30 }
        let truth: [Double] = times.map { (t: Double) -> Double in 0.8 * sin(2 * t) + 0.3 * sin(7 * t) }
        var signal: [Double] = []
        for value in truth { signal.append(value + 0.05 * rng.gaussian()) }
        let full = runSmoother(channel: 10, values: signal, times: times, lag: 200)
        let fixed = runSmoother(channel: 10, values: signal, times: times, lag: TrackSmoother.standardLag)
        var gap = 0.0, errorFixed = 0.0, errorRaw = 0.0
        for t in 0..<200 {
            gap = max(gap, abs(full[t] - fixed[t]))
            errorFixed += abs(fixed[t] - truth[t]) / 200
            errorRaw += abs(signal[t] - truth[t]) / 200
        }
        XCTAssertLessThan(gap, 0.002)
        XCTAssertLessThan(errorFixed, 0.6 * errorRaw)
    }

    /// A cold restart begins a new chain: nothing is smoothed across it.
    func testNothingIsSmoothedAcrossARestart() {
        var smoother = TrackSmoother(lag: 10, noise: noise)
        var x = [Double](repeating: 0, count: 61)
        var out = [Double](repeating: 0, count: 61)
        var taken: [Double] = []
        for f in 0..<20 {
            x[7] = f < 10 ? 0 : 1
            x.withUnsafeBufferPointer { smoother.push(frame: f, time: Double(f) / 30, parameters: $0, restart: f == 10) }
            if smoother.isReady(ended: false) { _ = out.withUnsafeMutableBufferPointer { smoother.takeOldest(into: $0) }; taken.append(out[7]) }
        }
        while smoother.isReady(ended: true) { _ = out.withUnsafeMutableBufferPointer { smoother.takeOldest(into: $0) }; taken.append(out[7]) }
        XCTAssertEqual(taken.count, 20)
        for f in 0..<20 { XCTAssertEqual(taken[f], f < 10 ? 0 : 1, accuracy: 1e-12, "frame \(f)") }
    }

    /// A root rotation turning through pi (where axis-angle jumps to the antipode) comes out as the
    /// same rotations, not an average of the two sides.
    func testTheRootRotationPassesThroughPi() {
        var smoother = TrackSmoother(lag: 5, noise: noise)
        var x = [Double](repeating: 0, count: 61)
        var out = [Double](repeating: 0, count: 61)
        for f in 0..<30 {
            var angle = 2.9 + 0.02 * Double(f)  // 2.9 ... 3.48 rad about z
            if angle > .pi { angle -= 2 * .pi }  // as a fit reports it: the principal vector
            x[2] = angle
            x.withUnsafeBufferPointer { smoother.push(frame: f, time: Double(f) / 30, parameters: $0, restart: f == 0) }
            if smoother.isReady(ended: f == 29) {
                let frame = out.withUnsafeMutableBufferPointer { smoother.takeOldest(into: $0) }
                var expected = 2.9 + 0.02 * Double(frame)
                if expected > .pi { expected -= 2 * .pi }
                XCTAssertEqual(out[2], expected, accuracy: 0.01, "frame \(frame)")
            }
        }
        while smoother.isReady(ended: true) {
            let frame = out.withUnsafeMutableBufferPointer { smoother.takeOldest(into: $0) }
            var expected = 2.9 + 0.02 * Double(frame)
            if expected > .pi { expected -= 2 * .pi }
            XCTAssertEqual(out[2], expected, accuracy: 0.01, "frame \(frame)")
        }
    }

    func runSmoother(channel: Int, values: [Double], times: [Double], lag: Int) -> [Double] {
        var smoother = TrackSmoother(lag: lag, noise: noise)
        var x = [Double](repeating: 0, count: 61)
        var out = [Double](repeating: 0, count: 61)
        var result = [Double](repeating: .nan, count: values.count)
        for (f, v) in values.enumerated() {
            x[channel] = v
            x.withUnsafeBufferPointer { smoother.push(frame: f, time: times[f], parameters: $0, restart: f == 0) }
            if smoother.isReady(ended: false) {
                let frame = out.withUnsafeMutableBufferPointer { smoother.takeOldest(into: $0) }
                result[frame] = out[channel]
            }
        }
        while smoother.isReady(ended: true) {
            let frame = out.withUnsafeMutableBufferPointer { smoother.takeOldest(into: $0) }
            result[frame] = out[channel]
        }
        return result
    }

    /// The MAP path of x_t = (position, velocity) under x_{t+1} = F x_t + w, w ~ N(0, Q(dt)), with
    /// measurements z_t = position + v, v ~ N(0, r²), and the smoother's own first-frame prior
    /// (position measured, velocity variance 900 r²): the normal equations over all 2N unknowns.
    func batchSolution(values: [Double], times: [Double], q: Double, r: Double) -> [Double] {
        let n = 2 * values.count
        var a = [Double](repeating: 0, count: n * n), b = [Double](repeating: 0, count: n)
        let r2 = r * r
        a[1 * n + 1] += 1 / (900 * r2)  // the first velocity's prior, mean 0
        for t in 0..<values.count {
            a[(2 * t) * n + 2 * t] += 1 / r2
            b[2 * t] += values[t] / r2
        }
        for t in 0..<(values.count - 1) {
            let dt = times[t + 1] - times[t]
            // Residual e = x_{t+1} - F x_t, weighted by Q^-1.
            let q00 = q * dt * dt * dt / 3, q01 = q * dt * dt / 2, q11 = q * dt
            let det = q00 * q11 - q01 * q01
            let w = [[q11 / det, -q01 / det], [-q01 / det, q00 / det]]
            // e = M u with u = (p_t, v_t, p_t+1, v_t+1): e0 = p1 - p0 - dt v0, e1 = v1 - v0.
            let m: [[Double]] = [[-1, -dt, 1, 0], [0, -1, 0, 1]]
            let index = [2 * t, 2 * t + 1, 2 * t + 2, 2 * t + 3]
            for i in 0..<4 {
                for j in 0..<4 {
                    var s = 0.0
                    for k in 0..<2 { for l in 0..<2 { s += m[k][i] * w[k][l] * m[l][j] } }
                    a[index[i] * n + index[j]] += s
                }
            }
        }
        // Gaussian elimination with partial pivoting.
        var m = a, y = b
        for c in 0..<n {
            var p = c
            for k in (c + 1)..<n where abs(m[k * n + c]) > abs(m[p * n + c]) { p = k }
            if p != c {
                for j in 0..<n { m.swapAt(c * n + j, p * n + j) }
                y.swapAt(c, p)
            }
            for k in (c + 1)..<n {
                let f = m[k * n + c] / m[c * n + c]
                if f == 0 { continue }
                for j in c..<n { m[k * n + j] -= f * m[c * n + j] }
                y[k] -= f * y[c]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for c in stride(from: n - 1, through: 0, by: -1) {
            var s = y[c]
            for j in (c + 1)..<n { s -= m[c * n + j] * x[j] }
            x[c] = s / m[c * n + c]
        }
        return (0..<values.count).map { x[2 * $0] }
    }
}
