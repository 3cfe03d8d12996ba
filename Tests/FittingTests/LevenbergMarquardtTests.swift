import Fitting
import HandModel
import XCTest

/// A linear least-squares problem, r = A x - b (A rows x n, row-major), whose solve may hold some
/// parameters where they start.
struct LinearProblem: LeastSquaresProblem {
    let a: [Double], b: [Double], rows: Int, parameterCount: Int
    var heldParameters: Range<Int>
    func residuals(_ x: UnsafeBufferPointer<Double>) -> [Double] {
        (0..<rows).map { r in (0..<parameterCount).reduce(-b[r]) { $0 + a[r * parameterCount + $1] * x[$1] } }
    }
    func cost(at x: UnsafeBufferPointer<Double>) -> Double { 0.5 * residuals(x).reduce(0) { $0 + $1 * $1 } }
    func linearize(at x: UnsafeBufferPointer<Double>, jtj: UnsafeMutableBufferPointer<Double>,
                   jtr: UnsafeMutableBufferPointer<Double>) -> Double {
        let r = residuals(x), n = parameterCount
        for i in 0..<n {
            jtr[i] = (0..<rows).reduce(0) { $0 + a[$1 * n + i] * r[$1] }
            for j in 0..<n { jtj[i * n + j] = (0..<rows).reduce(0) { $0 + a[$1 * n + i] * a[$1 * n + j] } }
        }
        return 0.5 * r.reduce(0) { $0 + $1 * $1 }
    }
}

/// Solves the square system m x = v (n x n, row-major) by Gaussian elimination with partial pivoting:
/// the tests' own oracle, apart from `Cholesky`.
func gaussianSolve(_ m: [Double], _ v: [Double]) -> [Double] {
    let n = v.count
    var a = m, x = v
    for c in 0..<n {
        let p = (c..<n).max { abs(a[$0 * n + c]) < abs(a[$1 * n + c]) }!
        if p != c {
            for k in 0..<n { a.swapAt(c * n + k, p * n + k) }
            x.swapAt(c, p)
        }
        for r in (c + 1)..<n {
            let f = a[r * n + c] / a[c * n + c]
            for k in c..<n { a[r * n + k] -= f * a[c * n + k] }
            x[r] -= f * x[c]
        }
    }
    for r in stride(from: n - 1, through: 0, by: -1) {
        var s = x[r]
        for k in (r + 1)..<n { s -= a[r * n + k] * x[k] }
        x[r] = s / a[r * n + r]
    }
    return x
}

/// Rosenbrock's valley as least squares: r = (10 (y - x^2), 1 - x); the minimum is (1, 1).
struct Rosenbrock: LeastSquaresProblem {
    var parameterCount: Int { 2 }
    func cost(at p: UnsafeBufferPointer<Double>) -> Double {
        let r0 = 10 * (p[1] - p[0] * p[0]), r1 = 1 - p[0]
        return 0.5 * (r0 * r0 + r1 * r1)
    }
    func linearize(at p: UnsafeBufferPointer<Double>, jtj: UnsafeMutableBufferPointer<Double>,
                   jtr: UnsafeMutableBufferPointer<Double>) -> Double {
        let r0 = 10 * (p[1] - p[0] * p[0]), r1 = 1 - p[0]
        let j0 = (-20 * p[0], 10.0), j1 = (-1.0, 0.0)
        jtj[0] = j0.0 * j0.0 + j1.0 * j1.0; jtj[1] = j0.0 * j0.1 + j1.0 * j1.1
        jtj[2] = jtj[1]; jtj[3] = j0.1 * j0.1 + j1.1 * j1.1
        jtr[0] = j0.0 * r0 + j1.0 * r1; jtr[1] = j0.1 * r0 + j1.1 * r1
        return 0.5 * (r0 * r0 + r1 * r1)
    }
}

/// A cost whose Gauss–Newton model bends less than it does: 0.5 x^2 with curvature 0.6 in the
/// normal equations (the gradient exact), as the model's curvature falls short where residuals stay
/// large at the optimum (real photos). Undamped steps overshoot, each achieves a third of the
/// decrease the model promises, and Levenberg–Marquardt's damping creeps up without a rejection.
struct UnderestimatedCurvature: LeastSquaresProblem {
    var parameterCount: Int { 1 }
    func cost(at p: UnsafeBufferPointer<Double>) -> Double { 0.5 * p[0] * p[0] }
    func linearize(at p: UnsafeBufferPointer<Double>, jtj: UnsafeMutableBufferPointer<Double>,
                   jtr: UnsafeMutableBufferPointer<Double>) -> Double {
        jtj[0] = 0.6
        jtr[0] = p[0]
        return 0.5 * p[0] * p[0]
    }
}

final class LevenbergMarquardtTests: XCTestCase {
    /// Where the damping creeps up, the absolute tolerance fires only if a step taken with that
    /// damping still counts as barely damped (`barelyDampedLimit`); then it ends the crawl within the
    /// tolerance of the optimum's cost. Without the limit the solve runs on to the relative test.
    func testBarelyDampedLimitEndsACrawlWhoseDampingGrows() {
        func solve(limit: Double?, tolerance: Double) -> LMReport {
            var solver = LevenbergMarquardt(capacity: 1, options: LMOptions(maxIterations: 500, relativeCostTolerance: 1e-12,
                                                                            stepTolerance: 1e-14, absoluteCostTolerance: tolerance,
                                                                            barelyDampedLimit: limit))
            var p = UnderestimatedCurvature()
            var x = [3.0]
            return x.withUnsafeMutableBufferPointer { solver.minimize(&p, x: $0) }
        }
        let initialOnly = solve(limit: nil, tolerance: 1e-3)
        let limited = solve(limit: 1, tolerance: 1e-3)
        print("growing damping: \(initialOnly.iterations) linearizations with the starting damping as the limit,",
              "\(limited.iterations) with a limit above the crawl's, cost \(limited.finalCost) above the optimum")
        XCTAssertLessThan(limited.iterations, initialOnly.iterations / 2)
        XCTAssertLessThan(limited.finalCost, 1e-2)
        XCTAssertLessThan(initialOnly.finalCost, 1e-9)
    }

    func testSolvesRosenbrock() {
        var solver = LevenbergMarquardt(capacity: 4, options: LMOptions(maxIterations: 200, relativeCostTolerance: 1e-14, stepTolerance: 1e-12))
        var p = Rosenbrock()
        var x = [-1.2, 1.0]
        let report = x.withUnsafeMutableBufferPointer { solver.minimize(&p, x: $0) }
        XCTAssertEqual(x[0], 1, accuracy: 1e-5)
        XCTAssertEqual(x[1], 1, accuracy: 1e-5)
        XCTAssertLessThan(report.finalCost, 1e-10)
        XCTAssertGreaterThan(report.initialCost, 1)
    }

    /// The absolute cost tolerance stops a solve at its optimum's doorstep, never in the middle of
    /// a damped crawl: down Rosenbrock's curved valley every step is short and lowers the cost a
    /// little, yet the solve must still reach the minimum.
    func testAbsoluteToleranceStopsNearTheOptimumOnly() {
        for tolerance in [0.0, 1e-3, 1e-2] {
            var solver = LevenbergMarquardt(capacity: 4, options: LMOptions(maxIterations: 200, relativeCostTolerance: 1e-14, stepTolerance: 1e-12,
                                                                            absoluteCostTolerance: tolerance))
            var p = Rosenbrock()
            var x = [-1.2, 1.0]
            let report = x.withUnsafeMutableBufferPointer { solver.minimize(&p, x: $0) }
            print(String(format: "Rosenbrock, absolute tolerance %g: %d linearizations, cost %.2e, x (%.4f, %.4f)",
                         tolerance, report.iterations, report.finalCost, x[0], x[1]))
            // What is left is within the tolerance (half a unit of cost per standard deviation).
            XCTAssertLessThan(report.finalCost, max(tolerance, 1e-10), "tolerance \(tolerance)")
            XCTAssertEqual(x[0], 1, accuracy: tolerance > 0 ? 0.1 : 1e-5)
        }
    }

    func testCholeskySolvesASymmetricSystem() {
        var a: [Double] = [4, 2, 0.6, 2, 5, 1, 0.6, 1, 3]
        let original = a
        var b: [Double] = [1, 2, 3]
        let x0 = b
        XCTAssertTrue(a.withUnsafeMutableBufferPointer { Cholesky.factor($0.baseAddress!, n: 3) })
        a.withUnsafeBufferPointer { l in b.withUnsafeMutableBufferPointer { Cholesky.solve(l.baseAddress!, n: 3, $0.baseAddress!) } }
        for i in 0..<3 {
            let row = (0..<3).reduce(0.0) { $0 + original[i * 3 + $1] * b[$1] }
            XCTAssertEqual(row, x0[i], accuracy: 1e-12)
        }
        var indefinite: [Double] = [1, 2, 2, 1]
        XCTAssertFalse(indefinite.withUnsafeMutableBufferPointer { Cholesky.factor($0.baseAddress!, n: 2) })
    }

    /// The factorization's blocked dot products against elimination, at sizes around its eight-wide
    /// blocks and at the refinement's 61 and 51.
    func testCholeskyAgreesWithEliminationAtEverySize() {
        var rng = SeededRandom(seed: 5)
        for n in [1, 7, 8, 9, 16, 17, 51, 61] {
            let g = (0..<(2 * n * n)).map { _ in rng.gaussian() }
            var m = [Double](repeating: 0, count: n * n)
            for i in 0..<n { for j in 0..<n { m[i * n + j] = (0..<(2 * n)).reduce(0) { $0 + g[$1 * n + i] * g[$1 * n + j] } } }
            for i in 0..<n { m[i * n + i] += 0.1 }
            let v = (0..<n).map { _ in rng.gaussian() }
            var l = m, x = v
            XCTAssertTrue(l.withUnsafeMutableBufferPointer { Cholesky.factor($0.baseAddress!, n: n) })
            l.withUnsafeBufferPointer { l in x.withUnsafeMutableBufferPointer { Cholesky.solve(l.baseAddress!, n: n, $0.baseAddress!) } }
            for (a, b) in zip(x, gaussianSolve(m, v)) { XCTAssertEqual(a, b, accuracy: 1e-8 * max(1, abs(b)), "n \(n)") }
        }
    }

    /// Held parameters stay where they start, and the others reach the optimum with those fixed,
    /// which elimination over the free columns alone gives independently.
    func testHeldParametersStayAndTheRestReachTheirOptimum() {
        var rng = SeededRandom(seed: 9)
        let n = 12, rows = 30, held = 4..<7
        let a = (0..<(rows * n)).map { _ in rng.gaussian() }, b = (0..<rows).map { _ in rng.gaussian() }
        let start = (0..<n).map { _ in rng.gaussian() }
        var problem = LinearProblem(a: a, b: b, rows: rows, parameterCount: n, heldParameters: held)
        var solver = LevenbergMarquardt(capacity: n, options: LMOptions(maxIterations: 50, relativeCostTolerance: 1e-14, stepTolerance: 1e-12))
        var x = start
        _ = x.withUnsafeMutableBufferPointer { solver.minimize(&problem, x: $0) }
        for i in held { XCTAssertEqual(x[i], start[i], "held parameter \(i) moved") }
        // The oracle: min |A_free x_free - (b - A_held x_held)|.
        let free = (0..<n).filter { !held.contains($0) }
        let target = (0..<rows).map { r in held.reduce(b[r]) { $0 - a[r * n + $1] * start[$1] } }
        var m = [Double](repeating: 0, count: free.count * free.count), v = [Double](repeating: 0, count: free.count)
        for (i, ci) in free.enumerated() {
            v[i] = (0..<rows).reduce(0) { $0 + a[$1 * n + ci] * target[$1] }
            for (j, cj) in free.enumerated() { m[i * free.count + j] = (0..<rows).reduce(0) { $0 + a[$1 * n + ci] * a[$1 * n + cj] } }
        }
        for (k, value) in zip(free, gaussianSolve(m, v)) { XCTAssertEqual(x[k], value, accuracy: 1e-6) }
    }

    /// From clean synthetic evidence and a start a few degrees off in every joint, LM recovers
    /// the true parameters: keypoints to a fraction of a millimetre.
    func testRecoversKnownParametersFromCleanEvidence() {
        let model = HandModel.builtIn(side: .right)
        let camera = PinholeCamera(fx: 926, fy: 925, cx: 356, cy: 355, k1: -0.014, k2: 1.42, p1: -0.0035, p2: -0.0036, k3: -6.39)
        let sampler = PoseSampler(model: model)
        var rng = SeededRandom(seed: 31)
        var solver = LevenbergMarquardt(capacity: 61, options: LMOptions(maxIterations: 60, relativeCostTolerance: 1e-12, stepTolerance: 1e-10))
        var worst = 0.0
        // The problem's bones are the model's own (identity factors), so is the evidence.
        var synth = EvidenceSynthesizer.clean
        synth.landmarkProportions = false
        for _ in 0..<10 {
            let hand = synth.synthesize(model: model, pose: sampler.sample(&rng), shape: PoseSampler.sampleShape(&rng),
                                                            camera: camera, width: 720, height: 720, rng: &rng)
            var problem = HandFitProblem(model: HandModelKeypoints(model: model), camera: camera, poseLimits: model.poseLimits)
            problem.setEvidence(hand.evidence)
            // The truth is inside the limits; its shape is the track's (held).
            var x = hand.parameters.vector
            for i in 0..<48 { x[i] += 0.08 * rng.gaussian() }
            x[60] += 0.03
            let report = x.withUnsafeMutableBufferPointer { solver.minimize(&problem, x: $0) }
            XCTAssertLessThan(report.finalCost, 1e-6 * max(1, report.initialCost))
            let fitted = model.keypoints(HandParameters(vector: x))
            for (a, b) in zip(fitted, hand.joints) { worst = max(worst, ((a - b) * (a - b)).sum().squareRoot()) }
        }
        XCTAssertLessThan(worst, 5e-4)
    }
}
