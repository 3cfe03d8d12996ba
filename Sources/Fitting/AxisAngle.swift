import Foundation
import HandModel

/// Rotation conversions the fitting needs in public form: axis-angle to matrix and back, and the
/// continuous 6D representation (the first two columns; Zhou et al., CVPR 2019, "On the
/// continuity of rotation representations in neural networks") that the regressor predicts,
/// because axis-angle jumps at pi and a network cannot fit a discontinuous target.
public enum AxisAngle {
    public static func matrix(_ w: SIMD3<Double>) -> Mat3 {
        let t2 = (w * w).sum()
        let a: Double, b: Double
        if t2 < 1e-12 { a = 1 - t2 / 6; b = 0.5 - t2 / 24 } else {
            let t = t2.squareRoot()
            a = sin(t) / t
            b = (1 - cos(t)) / t2
        }
        let k = Mat3.skew(w)
        return Mat3.identity + a * k + b * (k * k)
    }

    /// The axis-angle (angle in [0, pi]) of a rotation matrix.
    public static func vector(_ r: Mat3) -> SIMD3<Double> {
        let trace = r.c0.x + r.c1.y + r.c2.z
        let cosT = max(-1, min(1, (trace - 1) / 2))
        let t = acos(cosT)
        // Skew part: (R - R^T) / 2 = sin(t) [axis]x
        let v = SIMD3(r.c1.z - r.c2.y, r.c2.x - r.c0.z, r.c0.y - r.c1.x) * 0.5
        if t < 1e-6 { return v }
        if t < .pi - 1e-3 { return v * (t / sin(t)) }
        // Near pi: the axis from the symmetric part, R + I = 2 a a^T (approximately).
        let diag = SIMD3(r.c0.x, r.c1.y, r.c2.z)
        var a = SIMD3<Double>.zero
        if diag.x >= diag.y && diag.x >= diag.z {
            a.x = ((diag.x + 1) / 2).squareRoot()
            a.y = (r.c0.y + r.c1.x) / (4 * a.x)
            a.z = (r.c0.z + r.c2.x) / (4 * a.x)
        } else if diag.y >= diag.z {
            a.y = ((diag.y + 1) / 2).squareRoot()
            a.x = (r.c0.y + r.c1.x) / (4 * a.y)
            a.z = (r.c1.z + r.c2.y) / (4 * a.y)
        } else {
            a.z = ((diag.z + 1) / 2).squareRoot()
            a.x = (r.c0.z + r.c2.x) / (4 * a.z)
            a.y = (r.c1.z + r.c2.y) / (4 * a.z)
        }
        a /= (a * a).sum().squareRoot()
        if (a * v).sum() < 0 { a = -a }
        return a * t
    }

    /// The first two columns of the matrix.
    public static func sixD(_ r: Mat3) -> (SIMD3<Double>, SIMD3<Double>) { (r.c0, r.c1) }

    /// The rotation nearest two (not necessarily orthonormal) columns, by Gram–Schmidt.
    public static func fromSixD(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Mat3 {
        let n = max((a * a).sum().squareRoot(), 1e-9)
        let c0 = a / n
        var c1 = b - (c0 * b).sum() * c0
        let m = (c1 * c1).sum().squareRoot()
        c1 = m > 1e-9 ? c1 / m : (abs(c0.x) < 0.9 ? normalize(cross3(c0, SIMD3(1, 0, 0))) : normalize(cross3(c0, SIMD3(0, 1, 0))))
        return Mat3(c0, c1, cross3(c0, c1))
    }

    /// A uniformly distributed random rotation (Shoemake's quaternion method).
    public static func random(_ rng: inout SeededRandom) -> Mat3 {
        let u1 = rng.uniform(), u2 = rng.uniform() * 2 * .pi, u3 = rng.uniform() * 2 * .pi
        let a = (1 - u1).squareRoot(), b = u1.squareRoot()
        let (x, y, z, w) = (a * sin(u2), a * cos(u2), b * sin(u3), b * cos(u3))
        return Mat3(SIMD3(1 - 2 * (y * y + z * z), 2 * (x * y + w * z), 2 * (x * z - w * y)),
                    SIMD3(2 * (x * y - w * z), 1 - 2 * (x * x + z * z), 2 * (y * z + w * x)),
                    SIMD3(2 * (x * z + w * y), 2 * (y * z - w * x), 1 - 2 * (x * x + y * y)))
    }

    /// The mirror image x -> -x of a rotation, as axis-angle: (wx, -wy, -wz).
    @inline(__always)
    public static func mirrored(_ w: SIMD3<Double>) -> SIMD3<Double> { SIMD3(w.x, -w.y, -w.z) }
}

@inline(__always) func cross3(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

@inline(__always) func normalize(_ v: SIMD3<Double>) -> SIMD3<Double> { v / (v * v).sum().squareRoot() }
