import Foundation
import HandModel

/// A similarity transform y = scale * R x + t.
public struct Similarity: Sendable, Equatable {
    public var scale: Double
    public var rotation: Mat3
    public var translation: SIMD3<Double>

    @inline(__always)
    public func apply(_ x: SIMD3<Double>) -> SIMD3<Double> { scale * (rotation * x) + translation }
}

/// Least-squares alignment of point sets (Horn 1987, "Closed-form solution of absolute
/// orientation using unit quaternions"; the scale as in Umeyama 1991): the basis of PA-MPJPE,
/// the cross-view comparisons, and the cold start's rotation from the world landmarks.
/// Works on the stack: allocates nothing.
public enum Procrustes {
    /// The similarity (or rigid motion when `withScale` is false) taking `source` onto `target`.
    public static func align(_ source: UnsafeBufferPointer<SIMD3<Double>>, to target: UnsafeBufferPointer<SIMD3<Double>>,
                             withScale: Bool = true) -> Similarity {
        precondition(source.count == target.count && !source.isEmpty, "Procrustes: point counts differ or are zero")
        let n = Double(source.count)
        var ms = SIMD3<Double>.zero, mt = SIMD3<Double>.zero
        for i in 0..<source.count { ms += source[i]; mt += target[i] }
        ms /= n; mt /= n
        var c0 = SIMD3<Double>.zero, c1 = SIMD3<Double>.zero, c2 = SIMD3<Double>.zero  // rows of sum a b^T
        var varSource = 0.0
        for i in 0..<source.count {
            let a = source[i] - ms, b = target[i] - mt
            varSource += (a * a).sum()
            c0 += a.x * b; c1 += a.y * b; c2 += a.z * b
        }
        let (sxx, sxy, sxz) = (c0.x, c0.y, c0.z), (syx, syy, syz) = (c1.x, c1.y, c1.z), (szx, szy, szz) = (c2.x, c2.y, c2.z)
        // Horn's symmetric 4x4; its top eigenvector is the rotation's unit quaternion (w x y z).
        var m = SIMD16<Double>(
            sxx + syy + szz, syz - szy, szx - sxz, sxy - syx,
            syz - szy, sxx - syy - szz, sxy + syx, szx + sxz,
            szx - sxz, sxy + syx, -sxx + syy - szz, syz + szy,
            sxy - syx, szx + sxz, syz + szy, -sxx - syy + szz)
        let q = topEigenvector4(&m)
        let (w, x, y, z) = (q[0], q[1], q[2], q[3])
        let r = Mat3(SIMD3(1 - 2 * (y * y + z * z), 2 * (x * y + w * z), 2 * (x * z - w * y)),
                     SIMD3(2 * (x * y - w * z), 1 - 2 * (x * x + z * z), 2 * (y * z + w * x)),
                     SIMD3(2 * (x * z + w * y), 2 * (y * z - w * x), 1 - 2 * (x * x + y * y)))
        var scale = 1.0
        if withScale && varSource > 0 {
            var num = 0.0
            for i in 0..<source.count { num += ((r * (source[i] - ms)) * (target[i] - mt)).sum() }
            scale = num / varSource
        }
        return Similarity(scale: scale, rotation: r, translation: mt - scale * (r * ms))
    }

    public static func align(_ source: [SIMD3<Double>], to target: [SIMD3<Double>], withScale: Bool = true) -> Similarity {
        source.withUnsafeBufferPointer { s in target.withUnsafeBufferPointer { t in align(s, to: t, withScale: withScale) } }
    }

    /// Mean distance between `target` and `source` after the best similarity (PA-MPJPE when the
    /// points are joints), in the points' units.
    public static func alignedMeanDistance(_ source: [SIMD3<Double>], _ target: [SIMD3<Double>],
                                           withScale: Bool = true) -> Double {
        let sim = align(source, to: target, withScale: withScale)
        var total = 0.0
        for (a, b) in zip(source, target) {
            let d = sim.apply(a) - b
            total += (d * d).sum().squareRoot()
        }
        return total / Double(source.count)
    }

    /// Cyclic Jacobi eigen-decomposition of a symmetric 4x4 (row-major in a SIMD16); the unit
    /// eigenvector of the largest eigenvalue.
    static func topEigenvector4(_ a: inout SIMD16<Double>) -> SIMD4<Double> {
        var v = SIMD16<Double>(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1)
        for _ in 0..<50 {
            var off = 0.0
            for p in 0..<4 { for q in (p + 1)..<4 { off += a[p * 4 + q] * a[p * 4 + q] } }
            if off < 1e-30 { break }
            for p in 0..<4 {
                for q in (p + 1)..<4 {
                    let apq = a[p * 4 + q]
                    if abs(apq) < 1e-300 { continue }
                    let theta = (a[q * 4 + q] - a[p * 4 + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<4 {
                        let akp = a[k * 4 + p], akq = a[k * 4 + q]
                        a[k * 4 + p] = c * akp - s * akq
                        a[k * 4 + q] = s * akp + c * akq
                    }
                    for k in 0..<4 {
                        let apk = a[p * 4 + k], aqk = a[q * 4 + k]
                        a[p * 4 + k] = c * apk - s * aqk
                        a[q * 4 + k] = s * apk + c * aqk
                    }
                    for k in 0..<4 {
                        let vkp = v[k * 4 + p], vkq = v[k * 4 + q]
                        v[k * 4 + p] = c * vkp - s * vkq
                        v[k * 4 + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        var best = 0
        for i in 1..<4 where a[i * 4 + i] > a[best * 4 + best] { best = i }
        let q = SIMD4(v[best], v[4 + best], v[8 + best], v[12 + best])
        return q / (q * q).sum().squareRoot()
    }
}
