/// A nonlinear least-squares problem that assembles its own normal equations.
///
/// Problems build J^T J and J^T r directly rather than handing J to the solver: the hand fit's
/// prior and temporal blocks are diagonal, so they go straight onto the diagonal, and the dense
/// part (the keypoint rows) is accumulated without materializing the prior rows.
public protocol LeastSquaresProblem {
    var parameterCount: Int { get }
    /// 0.5 * sum of (robustified) squared residuals at `x`.
    mutating func cost(at x: UnsafeBufferPointer<Double>) -> Double
    /// The cost at `x`, and the Gauss–Newton normal equations there: `jtj` (n x n, row-major,
    /// both triangles) and `jtr` (n), overwritten.
    mutating func linearize(at x: UnsafeBufferPointer<Double>,
                            jtj: UnsafeMutableBufferPointer<Double>,
                            jtr: UnsafeMutableBufferPointer<Double>) -> Double
    /// Parameters the solve leaves where they are (a track's shape, say): the solver factors only
    /// the others' block of the normal equations.
    var heldParameters: Range<Int> { get }
}

extension LeastSquaresProblem {
    public var heldParameters: Range<Int> { 0..<0 }
}
