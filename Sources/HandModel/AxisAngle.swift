import Foundation

/// Axis-angle ↔ rotation matrix, for code that composes rotations as matrices and hands the model
/// axis-angle vectors (the fitting's initialisation, the synthetic animation).
public enum AxisAngle {
    /// Rodrigues' formula, with its series near zero so tiny angles stay exact.
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
}
