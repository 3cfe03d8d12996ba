/// Options of the Levenberg–Marquardt solver.
public struct LMOptions: Sendable, Equatable {
    public var maxIterations: Int
    /// Stop when an accepted step lowers the cost by less than this fraction of it.
    public var relativeCostTolerance: Double
    /// Stop when the step's largest component is below this (parameter units: radians, metres).
    public var stepTolerance: Double
    /// Initial damping, relative to the diagonal of J^T J (Marquardt's scaling).
    public var initialDamping: Double
    /// Stop after this many rejected steps in a row: near the optimum of a cost that is not smooth
    /// at small scales (a rasterized silhouette), more damping only buys more evaluations.
    public var maxConsecutiveRejections: Int
    /// Stop also when a step that was barely damped (taken at its first try, with no more damping
    /// than `barelyDampedLimit`) lowers the cost by less than this, in the cost's own units (half a sum
    /// of squared whitened residuals: statistical units, whatever the problem's scale). Zero leaves
    /// only the relative test.
    public var absoluteCostTolerance: Double
    /// The most damping a step may carry and still count as barely damped for the absolute test;
    /// nil means `initialDamping`. With Marquardt's scaling a damping of 0.1 leaves each step at
    /// least nine tenths of the Gauss–Newton step along the Jacobian's dominant directions. Where the
    /// residuals stay large at the optimum (real photos, whose world landmarks disagree with their
    /// keypoints) steps achieve a fifth of the decrease the linear model promises, the damping
    /// creeps up, and with `initialDamping` the absolute test never fires: the solve crawls on to the
    /// relative one.
    public var barelyDampedLimit: Double?

    public init(maxIterations: Int = 30, relativeCostTolerance: Double = 1e-4,
                stepTolerance: Double = 1e-5, initialDamping: Double = 1e-3, maxConsecutiveRejections: Int = .max,
                absoluteCostTolerance: Double = 0, barelyDampedLimit: Double? = nil) {
        self.barelyDampedLimit = barelyDampedLimit
        self.maxIterations = maxIterations
        self.relativeCostTolerance = relativeCostTolerance
        self.absoluteCostTolerance = absoluteCostTolerance
        self.stepTolerance = stepTolerance
        self.initialDamping = initialDamping
        self.maxConsecutiveRejections = maxConsecutiveRejections
    }
}

/// What a solve did.
public struct LMReport: Sendable, Equatable {
    public var initialCost: Double
    public var finalCost: Double
    /// Linearizations (Jacobian evaluations).
    public var iterations: Int
    /// Cost-only evaluations of rejected and accepted trial steps.
    public var evaluations: Int
}

/// Levenberg–Marquardt with Marquardt's diagonal scaling and Nielsen's damping update
/// (Nielsen 1999, "Damping parameter in Marquardt's method"; as in Madsen, Nielsen & Tingleff,
/// "Methods for non-linear least squares problems", 2004, algorithm 3.16).
///
/// The workspace is allocated once for the largest problem; `minimize` allocates nothing.
public struct LevenbergMarquardt: Sendable {
    public var options: LMOptions
    public let capacity: Int
    private var jtj: [Double]
    private var jtr: [Double]
    private var system: [Double]
    private var step: [Double]
    private var trial: [Double]

    public init(capacity: Int, options: LMOptions = LMOptions()) {
        self.capacity = capacity
        self.options = options
        jtj = [Double](repeating: 0, count: capacity * capacity)
        jtr = [Double](repeating: 0, count: capacity)
        system = [Double](repeating: 0, count: capacity * capacity)
        step = [Double](repeating: 0, count: capacity)
        trial = [Double](repeating: 0, count: capacity)
    }

    /// Minimizes `problem` starting from, and writing the solution into, `x`.
    public mutating func minimize<P: LeastSquaresProblem>(_ problem: inout P,
                                                          x: UnsafeMutableBufferPointer<Double>) -> LMReport {
        let n = problem.parameterCount
        precondition(n <= capacity && x.count >= n, "LevenbergMarquardt: problem of \(n) exceeds capacity \(capacity)")
        let opts = options
        return jtj.withUnsafeMutableBufferPointer { jtj in
            jtr.withUnsafeMutableBufferPointer { jtr in
                system.withUnsafeMutableBufferPointer { sys in
                    step.withUnsafeMutableBufferPointer { step in
                        trial.withUnsafeMutableBufferPointer { trial in
                            Self.run(&problem, n: n, x: x, opts: opts,
                                     jtj: jtj, jtr: jtr, sys: sys, step: step, trial: trial)
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func run<P: LeastSquaresProblem>(
        _ problem: inout P, n: Int, x: UnsafeMutableBufferPointer<Double>, opts: LMOptions,
        jtj: UnsafeMutableBufferPointer<Double>, jtr: UnsafeMutableBufferPointer<Double>,
        sys: UnsafeMutableBufferPointer<Double>, step: UnsafeMutableBufferPointer<Double>,
        trial: UnsafeMutableBufferPointer<Double>
    ) -> LMReport {
        let xs = UnsafeBufferPointer(x)
        var cost = problem.linearize(at: xs, jtj: jtj, jtr: jtr)
        var report = LMReport(initialCost: cost, finalCost: cost, iterations: 1, evaluations: 0)
        var lambda = opts.initialDamping
        var nu = 2.0
        let jb = jtj.baseAddress!, sb = sys.baseAddress!, stb = step.baseAddress!
        var outer = 0
        var rejections = 0
        // The free parameters, in order: those before the held range, then those after it.
        let held = problem.heldParameters.clamped(to: 0..<n)
        let m = n - held.count
        @inline(__always) func free(_ a: Int) -> Int { a < held.lowerBound ? a : a + held.count }
        while outer < opts.maxIterations {
            outer += 1
            // Solve (J^T J + lambda * D) step = -J^T r with D = max(diag(J^T J), floor), over the
            // free parameters (m x m, packed at the start of `sys` and `step`).
            var factored = false
            var tries = 0
            while !factored && tries < 12 {
                for a in 0..<m {
                    let i = free(a), row = jb + i * n, packed = sb + a * m
                    for b in 0...a { packed[b] = row[free(b)] }
                    packed[a] += lambda * max(row[i], 1e-9)
                    stb[a] = -jtr[i]
                }
                factored = Cholesky.factor(sb, n: m)
                if !factored { lambda *= 10; tries += 1 }
            }
            if !factored { break }
            Cholesky.solve(UnsafePointer(sb), n: m, stb)
            // Unpack: the step's free parts to their places (from the end, so nothing is overwritten
            // before it is read), zero for the held ones.
            if m < n {
                var a = m - 1
                while a >= held.lowerBound { stb[free(a)] = stb[a]; a -= 1 }
                for i in held { stb[i] = 0 }
            }
            var maxStep = 0.0
            var predicted = 0.0
            for i in 0..<n {
                let s = stb[i]
                maxStep = max(maxStep, abs(s))
                let d = max(jb[i * n + i], 1e-9)
                predicted += s * (lambda * d * s - jtr[i])
                trial[i] = x[i] + s
            }
            predicted *= 0.5
            if maxStep < opts.stepTolerance { break }
            let newCost = problem.cost(at: UnsafeBufferPointer(trial))
            report.evaluations += 1
            let rho = predicted > 0 ? (cost - newCost) / predicted : -1
            if rho > 0 && newCost.isFinite {
                // A step that came at its first try with little damping (`barelyDampedLimit`) is close to
                // the Gauss–Newton step; a damped one can crawl far from the optimum.
                let undamped = rejections == 0 && lambda <= (opts.barelyDampedLimit ?? opts.initialDamping)
                rejections = 0
                for i in 0..<n { x[i] = trial[i] }
                let decrease = cost - newCost
                let t = 2 * rho - 1
                lambda *= max(1.0 / 3.0, 1 - t * t * t)
                nu = 2
                if decrease < opts.relativeCostTolerance * cost || (undamped && decrease < opts.absoluteCostTolerance)
                    || outer == opts.maxIterations {
                    cost = newCost
                    break
                }
                cost = problem.linearize(at: xs, jtj: jtj, jtr: jtr)
                report.iterations += 1
            } else {
                lambda *= nu
                nu *= 2
                rejections += 1
                if lambda > 1e12 || rejections >= opts.maxConsecutiveRejections { break }
            }
        }
        report.finalCost = cost
        return report
    }
}
