/// The coarse quad cage the template is subdivided from: a palm box (4 columns, one per finger,
/// 5 rows from wrist to knuckles, one layer thick) whose distal faces are extruded into the fingers
/// (7 rings each) and one radial face into the thumb (6 rings). That is 196 points and 194 quads,
/// so one Catmull–Clark step gives 778 vertices, MANO's count.
enum Cage {
    static let palmRows = 5
    static let thumbRow = 2

    static func build(skeleton k: Skeleton, surface s: HandSurface) -> (points: [SIMD3<Double>], quads: [SIMD4<Int32>]) {
        var points: [SIMD3<Double>] = []
        var quads: [SIMD4<Int32>] = []
        // Column boundaries across the palm, pinky side (−z) to index side (+z).
        let kz = s.knuckleZ
        let zb = [s.palmCenterZ - s.palmHalfWidth, (kz[0] + kz[1]) / 2, (kz[1] + kz[2]) / 2, (kz[2] + kz[3]) / 2,
                  s.palmCenterZ + s.palmHalfWidth]
        let knuckleXs = [s.knuckleX[0] - 0.008, (s.knuckleX[0] + s.knuckleX[1]) / 2, (s.knuckleX[1] + s.knuckleX[2]) / 2,
                         (s.knuckleX[2] + s.knuckleX[3]) / 2, s.knuckleX[3] - 0.006]
        func vid(_ r: Int, _ c: Int, _ side: Int) -> Int32 { Int32((r * 5 + c) * 2 + side) }
        for r in 0...palmRows {
            for c in 0...4 {
                let x = s.wristEnd + 0.004 + (knuckleXs[c] - s.wristEnd - 0.004) * Double(r) / Double(palmRows)
                let narrow = x < 0.03 ? 0.8 : 1.0
                let z = s.palmCenterZ + (zb[c] - s.palmCenterZ) * narrow
                for side in 0..<2 {
                    let ht = x < 0.02 ? s.wristHalfThickness : s.palmHalfThickness
                    points.append(SIMD3(x, side == 0 ? -ht : ht, z))
                }
            }
        }
        let inside = SIMD3(0.03, 0.0, s.palmCenterZ)
        func oriented(_ q: SIMD4<Int32>, outwardFrom center: SIMD3<Double>) -> SIMD4<Int32> {
            let p = (0..<4).map { points[Int(q[$0])] }
            let n = cross(p[2] - p[0], p[3] - p[1])
            let centroid = (p[0] + p[1] + p[2] + p[3]) / 4
            return dot(n, centroid - center) >= 0 ? q : SIMD4(q.w, q.z, q.y, q.x)
        }
        var fingerBases: [SIMD4<Int32>] = []
        var thumbBase = SIMD4<Int32>.zero
        for r in 0..<palmRows {
            for c in 0..<4 {
                for side in 0..<2 {
                    quads.append(oriented(SIMD4(vid(r, c, side), vid(r + 1, c, side), vid(r + 1, c + 1, side), vid(r, c + 1, side)), outwardFrom: inside))
                }
            }
            for c in [0, 4] {
                let q = oriented(SIMD4(vid(r, c, 0), vid(r + 1, c, 0), vid(r + 1, c, 1), vid(r, c, 1)), outwardFrom: inside)
                if c == 4 && r == thumbRow { thumbBase = q } else { quads.append(q) }
            }
        }
        for c in 0..<4 {
            quads.append(oriented(SIMD4(vid(0, c, 0), vid(0, c + 1, 0), vid(0, c + 1, 1), vid(0, c, 1)), outwardFrom: inside))
            fingerBases.append(oriented(SIMD4(vid(palmRows, c, 0), vid(palmRows, c + 1, 0), vid(palmRows, c + 1, 1), vid(palmRows, c, 1)), outwardFrom: inside))
        }

        /// Extrudes a quad through rings around a chain: each ring corner sits on the side of the
        /// ring's centre that its base corner sits on, so winding carries over.
        func extrude(_ base: SIMD4<Int32>, rings: [(center: SIMD3<Double>, radius: Double)], direction d: SIMD3<Double>) {
            let basePoints = (0..<4).map { points[Int(base[$0])] }
            let center = (basePoints[0] + basePoints[1] + basePoints[2] + basePoints[3]) / 4
            var u = SIMD3<Double>(0, 1, 0) - d * d.y
            u /= dot(u, u).squareRoot()
            let side = cross(u, d)
            let signs = basePoints.map { p -> SIMD2<Double> in
                let o = p - center
                return SIMD2(dot(o, side) >= 0 ? 1 : -1, dot(o, u) >= 0 ? 1 : -1)
            }
            var current = base
            for ring in rings {
                let first = Int32(points.count)
                for c in 0..<4 {
                    points.append(ring.center + signs[c].x * 1.05 * ring.radius * side + signs[c].y * 0.95 * ring.radius * u)
                }
                let next = SIMD4(first, first + 1, first + 2, first + 3)
                for c in 0..<4 {
                    quads.append(SIMD4(current[c], current[(c + 1) % 4], next[(c + 1) % 4], next[c]))
                }
                current = next
            }
            quads.append(current)
        }

        func lerp(_ a: SIMD3<Double>, _ b: SIMD3<Double>, _ t: Double) -> SIMD3<Double> { a + (b - a) * t }
        for c in 0..<4 {
            let f = 3 - c
            let caps = s.fingers[f]
            let tipCenter = caps[2].b, r = caps.map { $0.ra } + [caps[2].rb]
            let ids = Skeleton.fingerJoints[f]
            let mcp = k.joints[ids[0]], pip = k.joints[ids[1]], dip = k.joints[ids[2]]
            let d = (tipCenter - dip) / dot(tipCenter - dip, tipCenter - dip).squareRoot()
            extrude(fingerBases[c], rings: [
                (lerp(mcp, pip, 0.3), r[0]), (pip, r[1]), (lerp(pip, dip, 0.5), (r[1] + r[2]) / 2), (dip, r[2]),
                (lerp(dip, tipCenter, 0.5), (r[2] + r[3]) / 2), (tipCenter, r[3]), (tipCenter + 0.55 * r[3] * d, 0.6 * r[3]),
            ], direction: d)
        }
        let t = s.thumb, j = k.joints
        let tipCenter = t[2].b
        let d = (tipCenter - j[15]) / dot(tipCenter - j[15], tipCenter - j[15]).squareRoot()
        let d0 = (j[14] - j[13]) / dot(j[14] - j[13], j[14] - j[13]).squareRoot()
        extrude(thumbBase, rings: [
            (lerp(j[13], j[14], 0.6), t[0].rb * 1.1), (j[14], t[1].ra), (lerp(j[14], j[15], 0.5), t[1].rb), (j[15], t[2].ra),
            (lerp(j[15], tipCenter, 0.6), t[2].rb), (tipCenter + 0.5 * t[2].rb * d, 0.6 * t[2].rb),
        ], direction: d0)
        return (points, quads)
    }
}
