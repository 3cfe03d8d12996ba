/// A 3×3 matrix as three columns; small enough to live on the stack in the forward pass.
public struct Mat3: Sendable, Equatable {
    public var c0: SIMD3<Double>, c1: SIMD3<Double>, c2: SIMD3<Double>

    @inlinable public init(_ c0: SIMD3<Double>, _ c1: SIMD3<Double>, _ c2: SIMD3<Double>) {
        self.c0 = c0; self.c1 = c1; self.c2 = c2
    }
    public static let identity = Mat3(SIMD3(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1))

    @inlinable public static func * (m: Mat3, v: SIMD3<Double>) -> SIMD3<Double> {
        m.c0 * v.x + m.c1 * v.y + m.c2 * v.z
    }
    @inlinable public static func * (a: Mat3, b: Mat3) -> Mat3 {
        Mat3(a * b.c0, a * b.c1, a * b.c2)
    }
    @inlinable public static func + (a: Mat3, b: Mat3) -> Mat3 { Mat3(a.c0 + b.c0, a.c1 + b.c1, a.c2 + b.c2) }
    @inlinable public static func * (s: Double, a: Mat3) -> Mat3 { Mat3(s * a.c0, s * a.c1, s * a.c2) }
    @inlinable public var transposed: Mat3 {
        Mat3(SIMD3(c0.x, c1.x, c2.x), SIMD3(c0.y, c1.y, c2.y), SIMD3(c0.z, c1.z, c2.z))
    }
    /// Element at row `r`, column `c`.
    @inlinable public func at(_ r: Int, _ c: Int) -> Double {
        switch c { case 0: return c0[r]; case 1: return c1[r]; default: return c2[r] }
    }
    /// The cross-product matrix [w]×, so that [w]× v = w × v.
    @inlinable public static func skew(_ w: SIMD3<Double>) -> Mat3 {
        Mat3(SIMD3(0, w.z, -w.y), SIMD3(-w.z, 0, w.x), SIMD3(w.y, -w.x, 0))
    }
}

@inlinable func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

@inlinable func dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }

/// Rotation matrix of an axis-angle vector and its left Jacobian J_l, which maps a change of the
/// axis-angle to the angular velocity in the parent frame: (∂R/∂ω_c) Rᵀ = [J_l e_c]×.
/// Both use R = I + A[ω]× + B[ω]×² and J_l = I + B[ω]× + C[ω]×², with series near θ = 0 where the
/// closed forms lose precision.
@inlinable func rodrigues(_ w: SIMD3<Double>) -> (rotation: Mat3, leftJacobian: Mat3) {
    let t2 = dot(w, w)
    let a: Double, b: Double, c: Double
    if t2 < 1e-8 {
        a = 1 - t2 / 6
        b = 0.5 - t2 / 24
        c = 1.0 / 6 - t2 / 120
    } else {
        let t = t2.squareRoot()
        let s = Foundation.sin(t), co = Foundation.cos(t)
        a = s / t
        b = (1 - co) / t2
        c = (t - s) / (t2 * t)
    }
    let k = Mat3.skew(w)
    let k2 = k * k
    return (Mat3.identity + a * k + b * k2, Mat3.identity + b * k + c * k2)
}

import Foundation
