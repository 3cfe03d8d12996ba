/// Robust losses on a residual block's norm, used by iteratively reweighted least squares:
/// each block's residuals are scaled by sqrt(weight) where weight = rho'(s), s = |r|^2.
public enum RobustLoss: Sendable, Equatable {
    /// Quadratic, no down-weighting.
    case none
    /// Huber: quadratic up to `threshold`, linear beyond.
    case huber(threshold: Double)
    /// Cauchy (Lorentzian): rho(s) = c^2 log(1 + s/c^2).
    case cauchy(scale: Double)

    /// rho(s) for s = |r|^2, so that rho(s) ~ s near zero.
    @inline(__always)
    public func rho(_ s: Double) -> Double {
        switch self {
        case .none: return s
        case .huber(let d):
            return s <= d * d ? s : 2 * d * s.squareRoot() - d * d
        case .cauchy(let c):
            let c2 = c * c
            return c2 * log1p(s / c2)
        }
    }

    /// rho'(s): the IRLS weight of a block whose squared norm is s.
    @inline(__always)
    public func weight(_ s: Double) -> Double {
        switch self {
        case .none: return 1
        case .huber(let d):
            return s <= d * d ? 1 : d / s.squareRoot()
        case .cauchy(let c):
            return 1 / (1 + s / (c * c))
        }
    }
}

import Foundation
