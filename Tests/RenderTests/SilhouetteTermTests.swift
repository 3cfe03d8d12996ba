import XCTest
import HandModel
import Render

final class SilhouetteTermTests: XCTestCase {
    let model = HandModel.builtIn(side: .right)
    let camera = RenderCamera(width: 320, height: 240)

    private func parameters(_ g: HandGesture, orient delta: SIMD3<Double> = .zero, transl: SIMD3<Double> = SIMD3(0.005, 0.06, 0.42)) -> HandParameters {
        let base = SynthAnimation(model: model, frameCount: 1, seed: 3).base
        return HandParameters(globalOrient: AxisAngle.vector(AxisAngle.matrix(delta) * base),
                              pose: HandArticulation(model: model).pose(g.jointAngles), transl: transl)
    }

    /// The hand's hard silhouette at full resolution: the target mask.
    private func mask(_ p: HandParameters) -> [UInt8] {
        var r = Rasterizer(width: 320, height: 240)
        var screen: [SIMD3<Float>] = []
        camera.projectToScreen(model.vertices(p).map { SIMD3<Float>($0) }, into: &screen)
        r.draw(screen: screen, faces: model.faces)
        var m: [UInt8] = []
        r.silhouette(into: &m)
        return m
    }

    private func bounds(_ p: HandParameters) -> (SIMD2<Float>, SIMD2<Float>) {
        var lo = SIMD2<Float>(repeating: .infinity), hi = -lo
        for v in model.vertices(p) {
            let uv = camera.project(SIMD3<Float>(v))
            lo = pointwiseMin(lo, uv)
            hi = pointwiseMax(hi, uv)
        }
        return (lo, hi)
    }

    private func evaluate(_ term: inout SilhouetteTerm, _ p: HandParameters, jacobian: Bool) {
        var v = [SIMD3<Double>](repeating: .zero, count: model.vertexCount)
        var j = [Double](repeating: 0, count: jacobian ? 3 * model.vertexCount * HandParameters.count : 0)
        let ws = HandModelWorkspace(model: model)
        v.withUnsafeMutableBufferPointer { vb in
            j.withUnsafeMutableBufferPointer { jb in
                model.vertices(p, into: vb, jacobian: jacobian ? jb : nil, workspace: ws)
            }
        }
        v.withUnsafeBufferPointer { vb in
            j.withUnsafeBufferPointer { jb in
                term.evaluate(vertices: vb, faces: model.faces, camera: camera, vertexJacobian: jacobian ? jb : nil)
            }
        }
    }

    func testJacobianMatchesFiniteDifferencesInHandParameters() {
        let truth = parameters(.pinch)
        let start = parameters(.relaxed, orient: SIMD3(0.05, -0.08, 0.1), transl: SIMD3(0.012, 0.055, 0.43))
        var term = SilhouetteTerm(gridSize: 48)
        let (lo, hi) = bounds(truth), (lo2, hi2) = bounds(start)
        term.setTarget(mask: mask(truth), width: 320, height: 240, region: pointwiseMin(lo, lo2), pointwiseMax(hi, hi2))
        evaluate(&term, start, jacobian: true)
        let J = term.jacobian, P = HandParameters.count
        // Root rotation, an index MCP value, a thumb value, two shape values and translation.
        let columns = [0, 1, 2, 3, 4, 40, 48, 50, 58, 59, 60]
        var checked = 0
        for k in columns {
            func differences(_ h: Double) -> [Float] {
                var vp = start.vector, vm = start.vector
                vp[k] += h
                vm[k] -= h
                var a = term, b = term
                evaluate(&a, HandParameters(vector: vp), jacobian: false)
                evaluate(&b, HandParameters(vector: vm), jacobian: false)
                return zip(a.residuals, b.residuals).map { ($0 - $1) / Float(2 * h) }
            }
            // Translation moves the outline ~ f/z pixels per metre; angles and shape are O(1): scale steps.
            let h = k >= 58 ? 2e-4 : 2e-3
            let coarse = differences(h), middle = differences(h / 4), fine = differences(h / 13)
            var norm: Float = 0, kinks = 0, bad = 0, compared = 0
            for p in 0..<coarse.count {
                let tol: Float = 0.03 * max(abs(fine[p]), 1) + 0.02 * max(1, abs(fine[p]))
                if abs(coarse[p] - fine[p]) > tol || abs(middle[p] - fine[p]) > tol { kinks += 1; continue }
                compared += 1
                norm += fine[p] * fine[p]
                if abs(J[p * P + k] - fine[p]) > tol { bad += 1 }
            }
            XCTAssertGreaterThan(norm, 1e-3, "column \(k) should move the silhouette")
            XCTAssertLessThanOrEqual(bad, compared / 200, "column \(k): Jacobian off the finite differences in \(bad) of \(compared) cells")
            XCTAssertLessThan(kinks * 30, compared, "column \(k): \(kinks) cells without a derivative")
            checked += 1
        }
        XCTAssertEqual(checked, columns.count)
    }

    func testGaussNewtonPullsTheOutlineOntoTheMask() {
        // The hand's pose is right but its root rotation and position are off; the silhouette term alone,
        // in a damped Gauss–Newton loop over those six values, must bring the outline onto the mask.
        let truth = parameters(.open)
        var p = parameters(.open, orient: SIMD3(0.05, -0.06, 0.08), transl: SIMD3(0.013, 0.066, 0.43))
        let target = mask(truth)
        let (lo, hi) = bounds(truth), (lo2, hi2) = bounds(p)
        var term = SilhouetteTerm(gridSize: 64)
        term.setTarget(mask: target, width: 320, height: 240, region: pointwiseMin(lo, lo2), pointwiseMax(hi, hi2))
        func fullIoU(_ q: HandParameters) -> Double {
            var r = Rasterizer(width: 320, height: 240)
            var screen: [SIMD3<Float>] = []
            camera.projectToScreen(model.vertices(q).map { SIMD3<Float>($0) }, into: &screen)
            r.draw(screen: screen, faces: model.faces)
            return r.intersectionOverUnion(mask: target)
        }
        let before = fullIoU(p)
        let free = [0, 1, 2, 58, 59, 60]
        var lambda = 1e-3
        // Coarse to fine: a wide σ first so the outline feels a mask several cells away, then a sharp one.
        for sigma: Float in [6, 2, 0.6] {
        term.sigma = sigma
        evaluate(&term, p, jacobian: true)
        var cost = term.cost
        for _ in 0..<10 {
            var jtj = [Double](repeating: 0, count: 61 * 61), jtr = [Double](repeating: 0, count: 61)
            term.accumulateNormalEquations(jtj: &jtj, jtr: &jtr)
            var a = free.map { i in free.map { j in jtj[i * 61 + j] } }
            for i in 0..<free.count { a[i][i] *= 1 + lambda }
            let step = solve(a, free.map { -jtr[$0] })
            var v = p.vector
            for (n, i) in free.enumerated() { v[i] += step[n] }
            let q = HandParameters(vector: v)
            var trial = term
            evaluate(&trial, q, jacobian: true)
            if trial.cost < cost {
                p = q
                term = trial
                cost = trial.cost
                lambda = max(lambda / 3, 1e-6)
            } else {
                lambda *= 4
            }
        }
        }
        let after = fullIoU(p)
        XCTAssertLessThan(before, 0.75, "the start should be visibly off")
        XCTAssertGreaterThan(after, 0.93, "IoU \(before) → \(after)")
    }

    /// Gaussian elimination with partial pivoting for the small test systems.
    private func solve(_ a0: [[Double]], _ b0: [Double]) -> [Double] {
        var a = a0, b = b0
        let n = b.count
        for c in 0..<n {
            let pivot = (c..<n).max { abs(a[$0][c]) < abs(a[$1][c]) }!
            a.swapAt(c, pivot)
            b.swapAt(c, pivot)
            guard abs(a[c][c]) > 1e-300 else { continue }
            for r in (c + 1)..<n {
                let f = a[r][c] / a[c][c]
                for k in c..<n { a[r][k] -= f * a[c][k] }
                b[r] -= f * b[c]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var s = b[r]
            for k in (r + 1)..<n { s -= a[r][k] * x[k] }
            x[r] = abs(a[r][r]) > 1e-300 ? s / a[r][r] : 0
        }
        return x
    }
}
