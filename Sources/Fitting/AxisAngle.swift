import Foundation
import HandModel

/// The continuous 6D rotation representation (the first two columns; Zhou et al., CVPR 2019, "On the
/// continuity of rotation representations in neural networks") that the regressor predicts,
/// because axis-angle jumps at pi and a network cannot fit a discontinuous target.
extension AxisAngle {
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
