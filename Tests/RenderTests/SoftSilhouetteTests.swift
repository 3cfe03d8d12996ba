import XCTest
import Render

final class SoftSilhouetteTests: XCTestCase {
    /// A projected icosphere and a few loose triangles of both windings, in a 48×40 buffer.
    private func scene() -> (screen: [SIMD2<Float>], faces: [SIMD3<Int32>]) {
        // A rotated sphere seen in perspective, so no two vertices or edges coincide in the image.
        let s = TestMeshes.icosphere(subdivisions: 1)
        let camera = RenderCamera(fx: 60, fy: 55, cx: 20.37, cy: 18.21)
        var screen = s.vertices.map { v -> SIMD2<Float> in
            let p = TestMeshes.rotate(v, SIMD3(0.3, 0.7, 0.2)) * 0.2 + SIMD3(0, 0, 1)
            return camera.project(p)
        }
        var faces = s.faces
        var rng = TestRandom(seed: 3)
        for _ in 0..<3 {
            let base = Int32(screen.count)
            for _ in 0..<3 { screen.append(SIMD2(rng.uniform(25, 46), rng.uniform(2, 38))) }
            faces.append(SIMD3(base, base + 1, base + 2))
        }
        return (screen, faces)
    }

    private func weightedSum(_ s: inout SoftSilhouette, _ screen: [SIMD2<Float>], _ faces: [SIMD3<Int32>], _ w: [Float]) -> Double {
        s.render(screen: screen, faces: faces)
        var total = 0.0
        for k in 0..<w.count { total += Double(w[k]) * Double(s.probability[k]) }
        return total
    }

    func testGradientMatchesFiniteDifferences() {
        let (screen, faces) = scene()
        var rng = TestRandom(seed: 5)
        for sigma: Float in [0.7, 2.5] {
            var s = SoftSilhouette(width: 48, height: 40, sigma: sigma)
            // A wide cutoff so the truncation step (sigmoid(-30) ≈ 1e-13) cannot show in the differences.
            s.cutoff = 30
            let w = (0..<(48 * 40)).map { _ in rng.uniform(-1, 1) }
            _ = weightedSum(&s, screen, faces, w)
            var grad: [SIMD2<Float>] = []
            s.backward(screen: screen, faces: faces, dLdA: w, into: &grad)
            let h: Float = 1e-2
            var worst = 0.0, scale = 0.0
            for v in 0..<screen.count {
                for c in 0..<2 {
                    var p = screen, m = screen
                    p[v][c] += h
                    m[v][c] -= h
                    let fd = (weightedSum(&s, p, faces, w) - weightedSum(&s, m, faces, w)) / Double(2 * h)
                    worst = max(worst, abs(fd - Double(grad[v][c])))
                    scale = max(scale, abs(fd))
                }
            }
            XCTAssertGreaterThan(scale, 0.05, "sigma \(sigma): gradients should not all vanish")
            XCTAssertLessThan(worst, 0.02 * scale + 1e-3, "sigma \(sigma): analytic vs finite-difference gradient")
        }
    }

    func testJacobianMatchesFiniteDifferencesOfASimilarityTransform() {
        // θ = (tx, ty, log scale, angle) acting on the 2D points about the centre c: an independent
        // parameterisation whose vertex Jacobian is written by hand here.
        let (base, faces) = scene()
        let c = SIMD2<Float>(24, 20)
        func apply(_ t: [Float]) -> [SIMD2<Float>] {
            let s = expf(t[2]), ca = cosf(t[3]), sa = sinf(t[3])
            return base.map { p in
                let d = p - c
                return c + SIMD2(t[0], t[1]) + s * SIMD2(ca * d.x - sa * d.y, sa * d.x + ca * d.y)
            }
        }
        let theta: [Float] = [0.7, -0.4, 0.05, 0.2]
        let pts = apply(theta)
        let P = 4
        var vj = [Float](repeating: 0, count: pts.count * 2 * P)
        for (v, p) in base.enumerated() {
            let d = p - c
            let s = expf(theta[2]), ca = cosf(theta[3]), sa = sinf(theta[3])
            let r = SIMD2(ca * d.x - sa * d.y, sa * d.x + ca * d.y)
            let dr = SIMD2(-sa * d.x - ca * d.y, ca * d.x - sa * d.y)
            let rows: [[Float]] = [[1, 0, s * r.x, s * dr.x], [0, 1, s * r.y, s * dr.y]]
            for row in 0..<2 { for k in 0..<P { vj[(2 * v + row) * P + k] = rows[row][k] } }
        }
        var s = SoftSilhouette(width: 48, height: 40, sigma: 1.2)
        s.cutoff = 30
        s.render(screen: pts, faces: faces)
        var J: [Float] = [], active: [Bool] = []
        s.jacobian(screen: pts, faces: faces, vertexJacobian: vj, parameterCount: P, into: &J, rowActive: &active)
        XCTAssertGreaterThan(active.filter { $0 }.count, 50)
        // Central differences at three step sizes. The distance to a triangle is a minimum over its edges,
        // so A has kinks (where two edges are equally near, as in SoftRas); a pixel whose differences
        // disagree has a kink within a step and no derivative to compare. Everywhere else they must agree.
        func differences(_ k: Int, _ h: Float) -> [Double] {
            var tp = theta, tm = theta
            tp[k] += h
            tm[k] -= h
            var sp = s, sm = s
            sp.render(screen: apply(tp), faces: faces)
            sm.render(screen: apply(tm), faces: faces)
            return (0..<(48 * 40)).map { (Double(sp.probability[$0]) - Double(sm.probability[$0])) / Double(2 * h) }
        }
        for k in 0..<P {
            let coarse = differences(k, 2e-3), middle = differences(k, 5e-4), fine = differences(k, 1.5e-4)
            var compared = 0, kinks = 0, bad = 0, norm = 0.0
            for p in 0..<(48 * 40) {
                let an = Double(J[p * P + k])
                if !active[p] { XCTAssertEqual(coarse[p], 0, accuracy: 2e-2, "pixel \(p) marked inactive has a gradient") }
                if abs(coarse[p] - fine[p]) > 0.02 + 0.02 * abs(fine[p]) || abs(middle[p] - fine[p]) > 0.02 + 0.02 * abs(fine[p]) {
                    kinks += 1
                    continue
                }
                compared += 1
                norm += fine[p] * fine[p]
                if abs(fine[p] - an) > 0.02 + 0.02 * abs(fine[p]) { bad += 1 }
            }
            XCTAssertGreaterThan(norm, 1e-2, "parameter \(k) should move the silhouette")
            XCTAssertEqual(bad, 0, "parameter \(k): Jacobian entries off the finite differences")
            XCTAssertLessThan(kinks * 50, compared, "parameter \(k): too many pixels without a derivative")
        }
    }

    func testSmallSigmaApproachesTheHardSilhouette() {
        let s3 = TestMeshes.icosphere(subdivisions: 3)
        let camera = RenderCamera(fx: 300, fy: 300, cx: 40.5, cy: 40.5)
        var screen3: [SIMD3<Float>] = []
        camera.projectToScreen(s3.vertices.map { $0 * 0.04 + SIMD3(0.003, -0.002, 0.4) }, into: &screen3)
        var hard = Rasterizer(width: 80, height: 80)
        hard.draw(screen: screen3, faces: s3.faces)
        var soft = SoftSilhouette(width: 80, height: 80, sigma: 0.02)
        soft.render(screen: screen3.map { SIMD2($0.x, $0.y) }, faces: s3.faces)
        // Any sample inside a triangle has D ≥ 1/2, so A ≥ 1/2 on the hard silhouette; outside it only
        // samples within a fraction of a pixel of the outline may reach 1/2 (near vertices where several
        // triangles' tails add up). Inner edges make SoftRas greyish (A ≥ 0.75), never below 1/2.
        var disagree = 0, outsideGrey = 0, inside = 0
        for k in 0..<(80 * 80) {
            let a = soft.probability[k], covered = hard.faceID[k] >= 0
            if covered { inside += 1; XCTAssertGreaterThanOrEqual(a, 0.5) }
            if (a >= 0.5) != covered { disagree += 1 }
            if !covered && a > 0.01 { outsideGrey += 1 }
        }
        // Samples just outside a silhouette edge see both its front and back triangle at D ≈ 1/2 each, so
        // A > 1/2 within about 0.13 px (σ = 0.02) of the outline: a band of 0.13 × perimeter samples.
        let perimeter = 2 * Float.pi * (Float(inside) / .pi).squareRoot()
        XCTAssertLessThanOrEqual(Float(disagree), 0.2 * perimeter)
        XCTAssertGreaterThan(inside, 700)
        // Nothing is grey beyond the cutoff reach √(12 σ) ≈ 0.49 px of the outline.
        XCTAssertLessThan(Float(outsideGrey), 0.5 * perimeter, "with a tiny sigma only samples right on the outline are grey")
        // Interior pixels sum probabilities of overlapping triangles without exceeding 1.
        XCTAssertLessThanOrEqual(soft.probability.max() ?? 2, 1)
    }
}
