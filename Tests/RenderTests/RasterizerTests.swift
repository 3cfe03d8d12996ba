import XCTest
import Render

final class RasterizerTests: XCTestCase {
    /// Snap to the rasterizer's 1/256-pixel grid so the reference sees exactly the same vertices.
    private func snapped(_ v: Float) -> Float { (v * 256).rounded() / 256 }

    /// Brute force: every pixel against every triangle in Double, the top-left rule written from its
    /// definition (a sample on an edge belongs to the triangle if the edge is a top or a left edge),
    /// nearest surface by exact inverse depth. No stepping, no fixed point.
    private func referenceFaceIDs(width: Int, height: Int, screen: [SIMD3<Float>], faces: [SIMD3<Int32>]) -> [Int32] {
        var ids = [Int32](repeating: -1, count: width * height)
        var best = [Double](repeating: 0, count: width * height)
        for (f, face) in faces.enumerated() {
            var p = [face.x, face.y, face.z].map { screen[Int($0)] }
            func area(_ a: SIMD3<Float>, _ b: SIMD3<Float>, _ c: SIMD3<Float>) -> Double {
                (Double(b.x) - Double(a.x)) * (Double(c.y) - Double(a.y)) - (Double(b.y) - Double(a.y)) * (Double(c.x) - Double(a.x))
            }
            let ar = area(p[0], p[1], p[2])
            if ar == 0 { continue }
            if ar < 0 { p.swapAt(1, 2) }
            let total = abs(ar)
            for y in 0..<height {
                for x in 0..<width {
                    let s = SIMD3<Float>(Float(x) + 0.5, Float(y) + 0.5, 0)
                    var ok = true
                    var lambda = [Double](repeating: 0, count: 3)
                    for e in 0..<3 {
                        let a = p[(e + 1) % 3], b = p[(e + 2) % 3]
                        let value = area(a, b, s)
                        let dx = Double(b.x) - Double(a.x), dy = Double(b.y) - Double(a.y)
                        let topLeft = dy < 0 || (dy == 0 && dx > 0)
                        if value < 0 || (value == 0 && !topLeft) { ok = false }
                        lambda[e] = value / total
                    }
                    if !ok { continue }
                    let inv = lambda[0] / Double(p[0].z) + lambda[1] / Double(p[1].z) + lambda[2] / Double(p[2].z)
                    if inv > best[y * width + x] {
                        best[y * width + x] = inv
                        ids[y * width + x] = Int32(f)
                    }
                }
            }
        }
        return ids
    }

    func testMatchesBruteForceReference() {
        var rng = TestRandom(seed: 7)
        let w = 61, h = 47
        for trial in 0..<20 {
            var screen: [SIMD3<Float>] = []
            var faces: [SIMD3<Int32>] = []
            for t in 0..<12 {
                // Each triangle at its own depth band so the depth order has no near-ties.
                let z = 1 + Float(t) * 0.37 + rng.uniform(0, 0.05)
                for _ in 0..<3 {
                    screen.append(SIMD3(snapped(rng.uniform(-10, Float(w) + 10)), snapped(rng.uniform(-10, Float(h) + 10)), z))
                }
                // Some vertices exactly on pixel centres, to exercise the tie rule.
                if trial % 2 == 0 { screen[screen.count - 1] = SIMD3(Float(t * 3 % w) + 0.5, Float(t * 5 % h) + 0.5, z) }
                faces.append(SIMD3(Int32(3 * t), Int32(3 * t + 1), Int32(3 * t + 2)))
            }
            var r = Rasterizer(width: w, height: h)
            r.draw(screen: screen, faces: faces)
            let ref = referenceFaceIDs(width: w, height: h, screen: screen, faces: faces)
            XCTAssertEqual(r.faceID, ref, "trial \(trial): face ids differ from the brute-force reference")
        }
    }

    func testSharedEdgesCoverEverySampleOnce() {
        // A jittered grid of quads split into triangles (alternating diagonals), with interior vertices
        // on pixel centres and on exact horizontal and vertical lines, covering a rectangle whose border
        // avoids sample points: every sample inside must be covered exactly once.
        var rng = TestRandom(seed: 11)
        let n = 9
        let x0: Float = 3.3, y0: Float = 4.6, x1: Float = 90.7, y1: Float = 70.2
        var grid: [SIMD2<Float>] = []
        for j in 0...n {
            for i in 0...n {
                var p = SIMD2(x0 + (x1 - x0) * Float(i) / Float(n), y0 + (y1 - y0) * Float(j) / Float(n))
                if i > 0, i < n, j > 0, j < n {
                    switch (i + j) % 3 {
                    case 0: p = p.rounded(.toNearestOrAwayFromZero)                                   // on a sample
                    case 1: p += SIMD2(rng.uniform(-3, 3), rng.uniform(-3, 3)) // anywhere
                    default: p.y = p.y.rounded()                                // on a sample row
                    }
                }
                grid.append(p)
            }
        }
        var count = [Int](repeating: 0, count: 100 * 80)
        let clip = PixelRect(minX: 0, minY: 0, maxX: 100, maxY: 80)
        for j in 0..<n {
            for i in 0..<n {
                let a = grid[j * (n + 1) + i], b = grid[j * (n + 1) + i + 1]
                let c = grid[(j + 1) * (n + 1) + i], d = grid[(j + 1) * (n + 1) + i + 1]
                let tris = (i + j) % 2 == 0 ? [(a, b, d), (a, d, c)] : [(a, b, c), (b, d, c)]
                for (k, t) in tris.enumerated() {
                    // Mixed windings: the rule must not depend on it.
                    let (p, q, r) = k == 0 ? t : (t.0, t.2, t.1)
                    TriangleCoverage.forEachPixel(p, q, r, clip: clip) { x, y, _ in count[y * 100 + x] += 1 }
                }
            }
        }
        for y in 0..<80 {
            for x in 0..<100 {
                let sx = Float(x) + 0.5, sy = Float(y) + 0.5
                let inside = sx > x0 && sx < x1 && sy > y0 && sy < y1
                XCTAssertEqual(count[y * 100 + x], inside ? 1 : 0, "pixel (\(x), \(y))")
            }
        }
    }

    func testFanAroundASampleCoversItOnce() {
        // Sixteen triangles meeting at a pixel centre: exactly one of them owns it.
        let c = SIMD2<Float>(20.5, 20.5)
        var count = [Int](repeating: 0, count: 41 * 41)
        let clip = PixelRect(minX: 0, minY: 0, maxX: 41, maxY: 41)
        for k in 0..<16 {
            let a0 = Float(k) * .pi / 8, a1 = Float(k + 1) * .pi / 8
            let p = c + 15 * SIMD2(cosf(a0), sinf(a0)), q = c + 15 * SIMD2(cosf(a1), sinf(a1))
            TriangleCoverage.forEachPixel(c, p, q, clip: clip) { x, y, _ in count[y * 41 + x] += 1 }
        }
        XCTAssertEqual(count[20 * 41 + 20], 1)
        XCTAssertEqual(count.max(), 1, "a sample covered twice")
    }

    func testCubeSilhouetteAreaMatchesProjectedHull() {
        // A convex solid's silhouette is the convex hull of its projected vertices; compare the pixel count
        // with the hull's area, within the pixels its perimeter can touch.
        let cube = TestMeshes.cube(halfSize: 0.06)
        let camera = RenderCamera(fx: 500, fy: 500, cx: 160, cy: 120)
        var r = Rasterizer(width: 320, height: 240)
        var screen: [SIMD3<Float>] = []
        for angles in [SIMD3<Float>(0.3, 0.5, 0.1), SIMD3(1.1, -0.4, 0.7), SIMD3(0, 0, 0)] {
            let v = cube.vertices.map { TestMeshes.rotate($0, angles) + SIMD3(0.02, -0.01, 0.6) }
            camera.projectToScreen(v, into: &screen)
            r.clear()
            r.draw(screen: screen, faces: cube.faces)
            let hull = convexHull(screen.map { SIMD2(Double($0.x), Double($0.y)) })
            var area = 0.0, perimeter = 0.0
            for i in 0..<hull.count {
                let a = hull[i], b = hull[(i + 1) % hull.count]
                area += a.x * b.y - a.y * b.x
                perimeter += ((b - a) * (b - a)).sum().squareRoot()
            }
            area = abs(area) / 2
            XCTAssertEqual(Double(r.coveredPixelCount), area, accuracy: perimeter * 0.5, "angles \(angles)")
            XCTAssertGreaterThan(area, 5000)
            XCTAssertTrue(screen.allSatisfy { $0.x > 0 && $0.x < 319 && $0.y > 0 && $0.y < 239 }, "cube must stay in frame")
        }
    }

    func testSphereSilhouetteIsItsProjectedDisc() {
        // A sphere of radius R at distance Z on the optical axis projects to a disc of radius f·R/√(Z²−R²).
        let s = TestMeshes.icosphere(subdivisions: 4)
        let camera = RenderCamera(fx: 400, fy: 400, cx: 100.5, cy: 100.5)
        let R: Float = 0.05, Z: Float = 0.4
        var screen: [SIMD3<Float>] = []
        camera.projectToScreen(s.vertices.map { $0 * R + SIMD3(0, 0, Z) }, into: &screen)
        var r = Rasterizer(width: 201, height: 201)
        r.draw(screen: screen, faces: s.faces)
        let radius = Double(400 * R / (Z * Z - R * R).squareRoot())
        let disc = Double.pi * radius * radius
        // The subdivided sphere is inscribed: its outline sits inside the true one by ≤ 0.5% of the radius.
        XCTAssertEqual(Double(r.coveredPixelCount), disc, accuracy: disc * 0.012 + 2 * .pi * radius * 0.5)
        XCTAssertLessThanOrEqual(Double(r.coveredPixelCount), disc + 2 * .pi * radius * 0.5)
        // Nearest surface wins: the centre pixel sees the sphere's front at depth Z - R.
        XCTAssertEqual(1 / r.inverseDepth[100 * 201 + 100], Z - R, accuracy: 1e-3)
    }

    func testBackFaceCullingKeepsAClosedMeshSilhouette() {
        // The icosphere is wound outward like the hand model: its front faces alone must cover exactly the
        // same samples, with the same nearest surface, as all faces.
        let s = TestMeshes.icosphere(subdivisions: 3)
        let camera = RenderCamera(width: 160, height: 120)
        var screen: [SIMD3<Float>] = []
        camera.projectToScreen(s.vertices.map { TestMeshes.rotate($0, SIMD3(0.4, 0.2, 0.9)) * 0.06 + SIMD3(0.01, 0, 0.35) }, into: &screen)
        var all = Rasterizer(width: 160, height: 120), front = Rasterizer(width: 160, height: 120)
        all.draw(screen: screen, faces: s.faces)
        front.draw(screen: screen, faces: s.faces, culling: .back)
        XCTAssertGreaterThan(all.coveredPixelCount, 1500)
        XCTAssertEqual(all.faceID, front.faceID)
        // Culling the other way (front faces) keeps the back half: the same outline, farther surfaces.
        let inward = s.faces.map { SIMD3($0.x, $0.z, $0.y) }
        var back = Rasterizer(width: 160, height: 120)
        back.draw(screen: screen, faces: inward, culling: .back)
        XCTAssertEqual(back.coveredPixelCount, all.coveredPixelCount)
        XCTAssertLessThan(back.inverseDepth[60 * 160 + 80], all.inverseDepth[60 * 160 + 80])
    }

    func testClearResetsOnlyWhatWasWrittenAndAll() {
        var r = Rasterizer(width: 50, height: 40)
        r.draw(screen: [SIMD3(5, 5, 1), SIMD3(30, 8, 1), SIMD3(12, 33, 1)], faces: [SIMD3(0, 1, 2)])
        XCTAssertGreaterThan(r.coveredPixelCount, 100)
        r.clear()
        XCTAssertEqual(r.faceID.filter { $0 >= 0 }.count, 0)
        XCTAssertEqual(r.inverseDepth.filter { $0 != 0 }.count, 0)
    }

    private func convexHull(_ pts: [SIMD2<Double>]) -> [SIMD2<Double>] {
        let p = pts.sorted { ($0.x, $0.y) < ($1.x, $1.y) }
        func cross(_ o: SIMD2<Double>, _ a: SIMD2<Double>, _ b: SIMD2<Double>) -> Double {
            (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x)
        }
        var lower: [SIMD2<Double>] = [], upper: [SIMD2<Double>] = []
        for q in p {
            while lower.count >= 2 && cross(lower[lower.count - 2], lower[lower.count - 1], q) <= 0 { lower.removeLast() }
            lower.append(q)
        }
        for q in p.reversed() {
            while upper.count >= 2 && cross(upper[upper.count - 2], upper[upper.count - 1], q) <= 0 { upper.removeLast() }
            upper.append(q)
        }
        return Array(lower.dropLast() + upper.dropLast())
    }
}
