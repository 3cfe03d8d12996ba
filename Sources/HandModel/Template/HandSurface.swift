/// The built-in hand's skin as an implicit surface (negative inside): a tapered, rounded palm slab
/// with a hypothenar pad, tapered capsules along each finger bone ending in round tips, and the thumb
/// blended into the palm with a wide smooth union that forms the thenar eminence and the thumb web.
/// The mesh's vertices are projected onto this surface. It follows the recipe a rendering prototype
/// found MediaPipe recognises best (shared notes, synthetic-hands.md): one smooth palm, not capsules.
struct HandSurface: Sendable {
    struct Capsule: Sendable {
        var a: SIMD3<Double>, b: SIMD3<Double>, ra: Double, rb: Double
    }
    var fingers: [[Capsule]]
    var thumb: [Capsule]
    /// Palm: wrist end, distal edge (x of the knuckle line at each MCP's z), half widths and thicknesses.
    var wristEnd: Double
    var knuckleZ: [Double]
    var knuckleX: [Double]
    var palmHalfWidth: Double, palmHalfThickness: Double
    var wristHalfWidth: Double, wristHalfThickness: Double
    var palmCenterZ: Double
    var hypothenar: SIMD3<Double>, hypothenarRadii: SIMD3<Double>
    /// Fingers are a little flatter palmar-dorsally than across (depth ≈ 0.9 breadth, Vergara et al. 2018).
    let depthRatio = 0.9

    init(skeleton k: Skeleton, proportions p: HandProportions) {
        let t = p.digitThicknessScale
        var fingers: [[Capsule]] = []
        for f in 0..<4 {
            let ids = Skeleton.fingerJoints[f]
            let r = HandProportions.fingerRadii[f].map { $0 * t }
            let mcp = k.joints[ids[0]], pip = k.joints[ids[1]], dip = k.joints[ids[2]], tip = k.tips[f + 1]
            let d = (tip - dip) / ((tip - dip) * (tip - dip)).sum().squareRoot()
            // The proximal capsule starts inside the palm so the knuckle blends into it.
            let start = mcp - 0.35 * (pip - mcp)
            fingers.append([
                Capsule(a: start, b: pip, ra: r[0], rb: r[1]),
                Capsule(a: pip, b: dip, ra: r[1], rb: r[2]),
                Capsule(a: dip, b: tip - r[3] * d, ra: r[2], rb: r[3]),
            ])
        }
        self.fingers = fingers
        let r = HandProportions.thumbRadii.map { $0 * t }
        let j = k.joints
        let d = (k.tips[0] - j[15]) / ((k.tips[0] - j[15]) * (k.tips[0] - j[15])).sum().squareRoot()
        thumb = [
            Capsule(a: j[13] - 0.2 * (j[14] - j[13]), b: j[14], ra: r[0], rb: r[1]),
            Capsule(a: j[14], b: j[15], ra: r[1], rb: r[2]),
            Capsule(a: j[15], b: k.tips[0] - r[3] * d, ra: r[2], rb: r[3]),
        ]
        wristEnd = -0.12 * p.handLength
        knuckleZ = [3, 2, 1, 0].map { j[Skeleton.fingerJoints[$0][0]].z }
        knuckleX = [3, 2, 1, 0].map { j[Skeleton.fingerJoints[$0][0]].x + 0.006 }
        let zs = knuckleZ
        palmHalfWidth = (zs[3] - zs[0]) / 2 + 0.5 * (HandProportions.fingerRadii[0][0] + HandProportions.fingerRadii[3][0]) * t + 0.002
        palmCenterZ = (zs[3] + zs[0]) / 2 + 0.001
        palmHalfThickness = p.palmThickness / 2
        wristHalfWidth = 0.34 * p.palmBreadth
        wristHalfThickness = 0.6 * p.palmThickness
        hypothenar = SIMD3(0.17 * p.handLength, 0.35 * p.palmThickness, palmCenterZ - 0.55 * palmHalfWidth)
        hypothenarRadii = SIMD3(0.17 * p.handLength, 0.22 * p.palmThickness, 0.3 * palmHalfWidth)
    }

    /// Signed distance (approximate away from the surface; exact enough near it for projection).
    func distance(_ q: SIMD3<Double>) -> Double {
        let palm = smoothMin(palmSlab(q), ellipsoid(q - hypothenar, hypothenarRadii), 0.008)
        var d = palm
        var t = Double.infinity
        for c in thumb { t = min(t, capsule(q, c)) }
        d = smoothMin(d, t, 0.011)
        var f = Double.infinity
        for finger in fingers { for c in finger { f = min(f, capsule(q, c)) } }
        return smoothMin(d, f, 0.009)
    }

    /// Outward unit normal by central differences.
    func gradient(_ q: SIMD3<Double>) -> SIMD3<Double> {
        let h = 1e-5
        var g = SIMD3<Double>.zero
        for a in 0..<3 {
            var e = SIMD3<Double>.zero
            e[a] = h
            g[a] = (distance(q + e) - distance(q - e)) / (2 * h)
        }
        return g
    }

    /// Moves a point onto the surface along the gradient (Newton on the distance).
    func project(_ q: SIMD3<Double>, steps: Int = 6) -> SIMD3<Double> {
        var q = q
        for _ in 0..<steps {
            let d = distance(q)
            if abs(d) < 1e-7 { break }
            // Forward differences reuse d: three evaluations instead of six, and projection only
            // needs the direction roughly right.
            let h = 1e-6
            let g = SIMD3(distance(q + SIMD3(h, 0, 0)) - d, distance(q + SIMD3(0, h, 0)) - d, distance(q + SIMD3(0, 0, h)) - d) / h
            q -= d * g / max((g * g).sum(), 1e-6)
        }
        return q
    }

    private func capsule(_ q: SIMD3<Double>, _ c: Capsule) -> Double {
        let ab = c.b - c.a
        let h = min(max(((q - c.a) * ab).sum() / (ab * ab).sum(), 0), 1)
        var off = q - (c.a + h * ab)
        off.y /= depthRatio
        return (off * off).sum().squareRoot() - (c.ra + h * (c.rb - c.ra))
    }

    /// The palm: a rounded-rectangle cross-section that narrows and thickens toward the wrist, cut
    /// by the wrist end and by the knuckle line with rounded (smooth-max) edges.
    private func palmSlab(_ q: SIMD3<Double>) -> Double {
        let s = min(max((q.x - 0.0) / 0.05, 0), 1)
        let blend = s * s * (3 - 2 * s)
        let hw = wristHalfWidth + (palmHalfWidth - wristHalfWidth) * blend
        let ht = wristHalfThickness + (palmHalfThickness - wristHalfThickness) * blend
        let cz = palmCenterZ * blend
        let rc = 0.85 * ht
        let qx = abs(q.z - cz) - (hw - rc), qy = abs(q.y) - (ht - rc)
        let outside = SIMD2(max(qx, 0), max(qy, 0))
        let cross = (outside * outside).sum().squareRoot() + min(max(qx, qy), 0) - rc
        let proximal = wristEnd - q.x
        let distal = q.x - knuckleLine(q.z)
        return smoothMax(smoothMax(cross, proximal, 0.016), distal, 0.010)
    }

    private func knuckleLine(_ z: Double) -> Double {
        let zs = knuckleZ, xs = knuckleX
        if z <= zs[0] { return xs[0] + (z - zs[0]) * 0.6 }
        if z >= zs[3] { return xs[3] - (z - zs[3]) * 0.6 }
        var i = 0
        while z > zs[i + 1] { i += 1 }
        let u = (z - zs[i]) / (zs[i + 1] - zs[i])
        return xs[i] + u * (xs[i + 1] - xs[i])
    }

    private func ellipsoid(_ q: SIMD3<Double>, _ r: SIMD3<Double>) -> Double {
        let k = ((q / r) * (q / r)).sum().squareRoot()
        return (k - 1) * r.min()
    }
}

/// Polynomial smooth minimum (Quílez): blends two distances over a band of width k.
func smoothMin(_ a: Double, _ b: Double, _ k: Double) -> Double {
    let h = max(k - abs(a - b), 0) / k
    return min(a, b) - h * h * k * 0.25
}

func smoothMax(_ a: Double, _ b: Double, _ k: Double) -> Double { -smoothMin(-a, -b, k) }
