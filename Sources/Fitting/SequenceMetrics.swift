import Foundation
import HandModel

/// Measurements over fitted sequences: jitter, lag, triangulation. Used by `handmesh eval fit`.
public enum SequenceMetrics {
    /// Mean norm of the second difference of each point over consecutive valid frames
    /// (a[t+1] - 2 a[t] + a[t-1]), per point, in the points' units. `frames[t]` nil is a gap.
    public static func meanSecondDifference(_ frames: [[SIMD3<Double>]?]) -> Double {
        var total = 0.0, count = 0.0
        guard frames.count >= 3 else { return 0 }
        for t in 1..<(frames.count - 1) {
            guard let a = frames[t - 1], let b = frames[t], let c = frames[t + 1] else { continue }
            for j in 0..<b.count {
                let d = c[j] - 2 * b[j] + a[j]
                total += (d * d).sum().squareRoot()
                count += 1
            }
        }
        return count > 0 ? total / count : 0
    }

    /// The points minus their centroid (what hand-centred world landmarks are compared with).
    public static func centred(_ p: [SIMD3<Double>]) -> [SIMD3<Double>] {
        let c = p.reduce(SIMD3<Double>.zero, +) / Double(p.count)
        return p.map { $0 - c }
    }

    /// The lag, in frames, of `signal` behind `reference`: the shift maximizing the normalized
    /// cross-correlation of their frame-to-frame motion (velocities, all coordinates of all
    /// points), refined by a parabola through the peak. Positive means `signal` is late.
    public static func lag(of signal: [[Double]?], behind reference: [[Double]?], maxShift: Int = 6) -> Double {
        func velocities(_ s: [[Double]?]) -> [[Double]?] {
            var v: [[Double]?] = [nil]
            for t in 1..<s.count {
                if let a = s[t - 1], let b = s[t] { v.append(zip(b, a).map { $0 - $1 }) } else { v.append(nil) }
            }
            return v
        }
        let vs = velocities(signal), vr = velocities(reference)
        func correlation(_ shift: Int) -> Double {
            var num = 0.0, ss = 0.0, rr = 0.0
            for t in 0..<vr.count {
                let u = t + shift
                guard u >= 0, u < vs.count, let r = vr[t], let s = vs[u] else { continue }
                for i in 0..<r.count { num += r[i] * s[i]; ss += s[i] * s[i]; rr += r[i] * r[i] }
            }
            return ss > 0 && rr > 0 ? num / (ss * rr).squareRoot() : -1
        }
        let shifts = Array(-maxShift...maxShift)
        let c = shifts.map(correlation)
        var best = 0
        for i in 1..<c.count where c[i] > c[best] { best = i }
        var peak = Double(shifts[best])
        if best > 0 && best < c.count - 1 {
            let denom = c[best - 1] - 2 * c[best] + c[best + 1]
            if denom < 0 { peak += 0.5 * (c[best - 1] - c[best + 1]) / denom }
        }
        return peak
    }

    /// Linear triangulation of one point seen in two views: normalized (undistorted) image
    /// coordinates n0 in camera 0, n1 in camera 1, with x1 = R x0 + T. Least squares over the four
    /// equations n x (P X) = 0 with P0 = [I | 0], P1 = [R | T]; the point in camera 0's frame.
    public static func triangulate(_ n0: SIMD2<Double>, _ n1: SIMD2<Double>, rotation r: Mat3,
                                   translation t: SIMD3<Double>) -> SIMD3<Double> {
        // Rows a . X = b.  View 0: X - x Z = 0, Y - y Z = 0.
        // View 1: (R0 - x R2) . X = x T2 - T0 and (R1 - y R2) . X = y T2 - T1, Rk the rows of R.
        let rt = r.transposed
        let r0 = rt.c0, r1 = rt.c1, r2 = rt.c2
        let rows: [(SIMD3<Double>, Double)] = [
            (SIMD3(1, 0, -n0.x), 0), (SIMD3(0, 1, -n0.y), 0),
            (r0 - n1.x * r2, n1.x * t.z - t.x), (r1 - n1.y * r2, n1.y * t.z - t.y),
        ]
        var ata = Mat3(.zero, .zero, .zero)
        var atb = SIMD3<Double>.zero
        for (a, b) in rows {
            ata = ata + Mat3(a.x * a, a.y * a, a.z * a)
            atb += b * a
        }
        return solve3(ata, atb)
    }

    static func solve3(_ m: Mat3, _ b: SIMD3<Double>) -> SIMD3<Double> {
        // Cramer's rule: columns c0 c1 c2.
        let det = (m.c0 * cross3(m.c1, m.c2)).sum()
        return SIMD3((b * cross3(m.c1, m.c2)).sum(), (m.c0 * cross3(b, m.c2)).sum(), (m.c0 * cross3(m.c1, b)).sum()) / det
    }
}
