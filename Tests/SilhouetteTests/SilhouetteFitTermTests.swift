import Fitting
import HandModel
import Render
import Silhouette
import XCTest

final class SilhouetteFitTermTests: XCTestCase {
    let model = HandModel.builtIn(side: .right)
    let width = 320, height = 240
    var camera: PinholeCamera { PinholeCamera.defaultCamera(width: width, height: height) }

    private func hand(orient: SIMD3<Double>, transl: SIMD3<Double>, curl: Double) -> HandParameters {
        var p = HandParameters(globalOrient: orient, pose: model.meanPose, transl: transl)
        for i in stride(from: 5, to: 45, by: 3) { p.pose[i] += curl }
        return p
    }

    private func mask(of p: HandParameters) -> [UInt8] {
        var s = MeshSilhouette(width: width, height: height)
        s.draw(model: model, parameters: p, camera: RenderCamera(camera), workspace: HandModelWorkspace(model: model))
        var m: [UInt8] = []
        s.mask(into: &m)
        return m
    }

    private func projectedKeypoints(_ p: HandParameters) -> [SIMD2<Double>] {
        model.keypoints(p).map { camera.project($0) }
    }

    /// The term computes the vertex Jacobian only for outline vertices; its normal equations must be
    /// those of the full Jacobian, through `SilhouetteTerm`'s own all-vertex path.
    func testNormalEquationsFromOutlineRowsEqualTheFullJacobiansOnes() {
        let truth = hand(orient: SIMD3(2.9, 0.1, 0.2), transl: SIMD3(0.01, 0.02, 0.45), curl: 0.3)
        let start = hand(orient: SIMD3(2.95, 0.05, 0.25), transl: SIMD3(0.015, 0.025, 0.46), curl: 0.1)
        let target = mask(of: truth)
        let keypoints = projectedKeypoints(truth)
        let term = SilhouetteFitTerm(model: model, camera: RenderCamera(camera))
        target.withUnsafeBufferPointer { term.setTarget(mask: MaskView($0.baseAddress!, width: width, height: height), around: keypoints) }
        var jtj = [Double](repeating: 0, count: 61 * 61), jtr = [Double](repeating: 0, count: 61)
        let x = start.vector
        let cost = x.withUnsafeBufferPointer { xs in
            jtj.withUnsafeMutableBufferPointer { a in jtr.withUnsafeMutableBufferPointer { b in term.accumulate(at: xs, jtj: a, jtr: b) } }
        }
        XCTAssertEqual(cost, x.withUnsafeBufferPointer { term.cost(at: $0) }, accuracy: 1e-12, "cost and linearization agree")

        // The oracle: every vertex's Jacobian, through the plain path.
        var reference = term.term
        var v = [SIMD3<Double>](repeating: .zero, count: model.vertexCount)
        var j = [Double](repeating: 0, count: 3 * model.vertexCount * 61)
        let ws = HandModelWorkspace(model: model)
        v.withUnsafeMutableBufferPointer { vb in j.withUnsafeMutableBufferPointer { model.vertices(start, into: vb, jacobian: $0, workspace: ws) } }
        v.withUnsafeBufferPointer { vb in
            j.withUnsafeBufferPointer { reference.evaluate(vertices: vb, faces: model.faces, camera: RenderCamera(camera), vertexJacobian: $0) }
        }
        var refJTJ = [Double](repeating: 0, count: 61 * 61), refJTR = [Double](repeating: 0, count: 61)
        reference.accumulateNormalEquations(jtj: &refJTJ, jtr: &refJTR, weight: 1 / (term.cellSigma * term.cellSigma))
        let scale = refJTJ.map(abs).max()!
        XCTAssertGreaterThan(scale, 0)
        for k in 0..<(61 * 61) { XCTAssertEqual(jtj[k], refJTJ[k], accuracy: 1e-5 * scale) }
        let gScale = refJTR.map(abs).max()!
        for k in 0..<61 { XCTAssertEqual(jtr[k], refJTR[k], accuracy: 1e-5 * gScale) }
    }

    /// A fitter with the term, fed keypoints with a systematic error, ends nearer the mask than the
    /// keypoint-only fitter given the same keypoints.
    func testTheFitterWithTheTermAgreesBetterWithTheMask() {
        let truth = hand(orient: SIMD3(2.9, 0.1, 0.2), transl: SIMD3(0.01, 0.02, 0.45), curl: 0.4)
        let target = mask(of: truth)
        var evidence = FitEvidence(keypoints: projectedKeypoints(truth), world: nil)
        // A landmark model that puts the fingertips short of the real ones.
        for tip in [8, 12, 16, 20] { evidence.keypoints[tip] += 0.35 * (evidence.keypoints[tip - 1] - evidence.keypoints[tip]) }
        var lo = evidence.keypoints[0], hi = lo
        for p in evidence.keypoints { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        evidence.roiCenter = (lo + hi) / 2
        evidence.roiSize = 2 * max(hi.x - lo.x, hi.y - lo.y)
        var settings = FitSettings(camera: camera)
        settings.filter = nil
        // As the pipeline sets a fitter up beside a mask. With the track's bones free to leave the
        // model's, which the outline is drawn with, the term's fit read 0.53 at 4 px.
        settings.fitBesideAMask()
        var ious: [Double] = []
        for withTerm in [false, true] {
            let fitter = HandFitter(model: model, regressor: try? HandRegressor.bundled(), settings: settings)
            if withTerm {
                let term = SilhouetteFitTerm(model: model, camera: RenderCamera(camera))
                target.withUnsafeBufferPointer { term.setTarget(mask: MaskView($0.baseAddress!, width: width, height: height), around: evidence.keypoints) }
                fitter.extraTerm = term
            }
            var result = HandFitResult()
            for frame in 0..<4 { fitter.fit(evidence, time: Double(frame) / 30, continuesTrack: frame > 0, into: &result) }
            var s = MeshSilhouette(width: width, height: height)
            s.draw(model: model, parameters: result.parameters, camera: RenderCamera(camera), workspace: HandModelWorkspace(model: model))
            ious.append(target.withUnsafeBufferPointer { s.intersectionOverUnion(MaskView($0.baseAddress!, width: width, height: height)) })
        }
        XCTAssertGreaterThan(ious[1], ious[0] + 0.03, "IoU keypoints only \(ious[0]), with the silhouette \(ious[1])")
        XCTAssertGreaterThan(ious[1], 0.8)
    }

    func testAHandCoversItsOwnMaskExactly() {
        let p = hand(orient: SIMD3(2.9, 0.1, 0.2), transl: SIMD3(0.0, 0.0, 0.4), curl: 0.2)
        let target = mask(of: p)
        XCTAssertGreaterThan(target.filter { $0 == 255 }.count, 2000, "the hand is in view")
        var s = MeshSilhouette(width: width, height: height)
        let ws = HandModelWorkspace(model: model)
        s.draw(model: model, parameters: p, camera: RenderCamera(camera), workspace: ws)
        XCTAssertEqual(target.withUnsafeBufferPointer { s.intersectionOverUnion(MaskView($0.baseAddress!, width: width, height: height)) }, 1)
        var moved = p
        moved.transl.x += 0.01
        s.draw(model: model, parameters: moved, camera: RenderCamera(camera), workspace: ws)
        let iou = target.withUnsafeBufferPointer { s.intersectionOverUnion(MaskView($0.baseAddress!, width: width, height: height)) }
        XCTAssertLessThan(iou, 0.95)
        XCTAssertGreaterThan(iou, 0.3)
    }
}
