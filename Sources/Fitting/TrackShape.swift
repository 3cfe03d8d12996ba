/// A track's shape (10 coefficients) and world-landmark scale, estimated online over the frames
/// of the track and held steady within each frame's fit.
///
/// A person's hand does not change between frames, and a prototype on real MediaPipe evidence
/// found per-track bone lengths, estimated over the sequence by alternating shape fits with pose
/// fits, the largest single gain (shared notes, fitting-lessons.md). Each frame's fit, at its
/// solution, contributes the Gauss–Newton information of the data terms about (shape, scale):
/// with the residuals r0 and their Jacobian G there, it adds G^T G and G^T (G u0 - r0), faded by
/// a forgetting factor; the estimate is the regularized solution of the summed normal equations.
/// It is recursive least squares on the linearized problem, so it settles as frames accumulate.
public struct TrackShape: Sendable, Equatable {
    public static let unknowns = 11
    /// Shape coefficients (the model's prior is standard normal).
    public private(set) var shape: [Double]
    /// Factor applied to the world landmarks (MediaPipe's are metric for an average hand).
    public private(set) var scale: Double
    public private(set) var frames = 0
    /// Per-frame fading of old information: 0.98 remembers about 50 frames (under 2 s at 30 fps),
    /// long enough to average pose noise out, short enough to forget a bad start.
    public var forgetting = 0.98
    public var shapeSigma = 1.0
    /// MediaPipe's world landmarks are trained to be metric; allow them 5% of scale error.
    public var scaleSigma = 0.05

    var information: [Double]
    var vector: [Double]
    var system: [Double]
    var solution: [Double]

    public init(shape: [Double] = [Double](repeating: 0, count: 10), scale: Double = 1) {
        precondition(shape.count == 10, "TrackShape: 10 shape values expected")
        self.shape = shape
        self.scale = scale
        information = [Double](repeating: 0, count: 121)
        vector = [Double](repeating: 0, count: 11)
        system = [Double](repeating: 0, count: 121)
        solution = [Double](repeating: 0, count: 11)
    }

    /// Restarts the estimate from `shape` (a new track).
    public mutating func reset(shape newShape: UnsafeBufferPointer<Double>? = nil) {
        for i in 0..<10 { shape[i] = newShape?[i] ?? 0 }
        scale = 1
        frames = 0
        for i in 0..<121 { information[i] = 0 }
        for i in 0..<11 { vector[i] = 0 }
    }

    /// Adds one frame: `jacobian` is the whitened data Jacobian (rows x 61, the shape columns at
    /// 48..<58), `residual` the whitened residuals and `scaleColumn` their derivative with
    /// respect to the scale, all at the frame's solution. Then re-solves. Allocates nothing.
    public mutating func add(jacobian: UnsafeBufferPointer<Double>, residual: UnsafeBufferPointer<Double>,
                             scaleColumn: UnsafeBufferPointer<Double>, rows: Int) {
        let gamma = forgetting
        for i in 0..<121 { information[i] *= gamma }
        for i in 0..<11 { vector[i] *= gamma }
        information.withUnsafeMutableBufferPointer { A in
            vector.withUnsafeMutableBufferPointer { b in
                shape.withUnsafeBufferPointer { beta in
                    for r in 0..<rows {
                        let row = jacobian.baseAddress! + r * 61
                        let sc = scaleColumn[r]
                        @inline(__always) func g(_ k: Int) -> Double { k < 10 ? row[48 + k] : sc }
                        var gu = scale * sc
                        for k in 0..<10 { gu += row[48 + k] * beta[k] }
                        let target = gu - residual[r]
                        for a in 0..<11 {
                            let ga = g(a)
                            if ga == 0 { continue }
                            b[a] += ga * target
                            for c in 0..<11 { A[a * 11 + c] += ga * g(c) }
                        }
                    }
                }
            }
        }
        frames += 1
        solve()
    }

    mutating func solve() {
        let invShape = 1 / (shapeSigma * shapeSigma), invScale = 1 / (scaleSigma * scaleSigma)
        for i in 0..<121 { system[i] = information[i] }
        for i in 0..<10 { system[i * 11 + i] += invShape; solution[i] = vector[i] }
        system[120] += invScale
        solution[10] = vector[10] + invScale * 1
        let ok = system.withUnsafeMutableBufferPointer { s in Cholesky.factor(s.baseAddress!, n: 11) }
        guard ok else { return }
        system.withUnsafeBufferPointer { s in
            solution.withUnsafeMutableBufferPointer { x in Cholesky.solve(s.baseAddress!, n: 11, x.baseAddress!) }
        }
        // Shape beyond three standard deviations is not a hand; the clamp guards a bad start.
        for i in 0..<10 { shape[i] = min(3, max(-3, solution[i])) }
        scale = min(1.4, max(0.7, solution[10]))
    }
}
