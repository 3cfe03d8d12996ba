/// A residual block that joins the refinement's own terms (keypoints, world landmarks, priors,
/// temporal) in every Levenberg–Marquardt iteration: a silhouette term, for instance. Its
/// residuals are whitened (divided by their sigma) by the term itself.
///
/// Parameters are `HandFitProblem`'s 61: root rotation (3), pose (45), shape (10), translation (3).
/// A term belongs to one fitter and is used from that fitter's thread only.
public protocol FitTerm: AnyObject {
    /// ½ Σ r² at `x`.
    func cost(at x: UnsafeBufferPointer<Double>) -> Double
    /// ½ Σ r² at `x`; adds Jᵀ J (61 × 61, row-major, both triangles) to `jtj` and Jᵀ r to `jtr`.
    func accumulate(at x: UnsafeBufferPointer<Double>, jtj: UnsafeMutableBufferPointer<Double>,
                    jtr: UnsafeMutableBufferPointer<Double>) -> Double
    /// Passes a cold start makes with this term once the keypoints have placed the hand, coarse to
    /// fine (a silhouette widens its reach first); `prepare(pass:)` sets each up, and the last pass
    /// must leave the term as warm frames use it.
    var coldPasses: Int { get }
    func prepare(pass: Int)
}

extension FitTerm {
    public var coldPasses: Int { 1 }
    public func prepare(pass: Int) {}
}
