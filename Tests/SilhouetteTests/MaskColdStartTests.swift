import Fitting
import HandModel
import Render
import Silhouette
import XCTest

/// The full-frame overlap that `fit.mask_iou` reports, against a plain pixel count, and the cold
/// start's search on guesses the regressor gets wrong on real masks: turned, mirrored, too small.
final class MaskColdStartTests: XCTestCase {
    let model = HandModel.builtIn(side: .right)
    let width = 224, height = 224
    /// A 224-pixel crop of a hand dataset: fx 500.
    var camera: PinholeCamera { PinholeCamera(fx: 500, fy: 500, cx: 112, cy: 112) }

    private func hand(orient: SIMD3<Double>, transl: SIMD3<Double>) -> HandParameters {
        HandParameters(globalOrient: orient, pose: model.meanPose, transl: transl)
    }

    private func mask(of p: HandParameters) -> [UInt8] {
        var s = MeshSilhouette(width: width, height: height)
        s.draw(model: model, parameters: p, camera: RenderCamera(camera), workspace: HandModelWorkspace(model: model))
        var m: [UInt8] = []
        s.mask(into: &m)
        return m
    }

    /// The oracle: two byte masks counted pixel by pixel.
    private func countedIoU(_ a: [UInt8], _ b: [UInt8]) -> Double {
        var inter = 0, union = 0
        for k in 0..<a.count {
            let x = a[k] >= 128, y = b[k] >= 128
            if x && y { inter += 1 }
            if x || y { union += 1 }
        }
        return Double(inter) / Double(union)
    }

    /// The case: a small fit inside a large mask (a hand with its forearm, say). The grid
    /// around the keypoints saw only the hand and called it a match; the whole frame does not.
    func testASmallFitInsideALargeMaskScoresItsFullFrameIoU() {
        let p = hand(orient: SIMD3(-.pi / 2, 0, 0), transl: SIMD3(0, -0.03, 0.9))
        let drawn = mask(of: p)
        let keypoints = model.keypoints(p).map { camera.project($0) }
        // A forearm: a band 30 pixels wide from the wrist, away from the fingers, out of the frame.
        var large = drawn
        let wrist = keypoints[0]
        var axis = keypoints[9] - wrist
        axis /= (axis * axis).sum().squareRoot()
        for y in 0..<height {
            for x in 0..<width {
                let d = SIMD2(Double(x) + 0.5, Double(y) + 0.5) - wrist
                let along = -(d * axis).sum(), across = abs(d.x * axis.y - d.y * axis.x)
                if along > -5 && across < 15 { large[y * width + x] = 255 }
            }
        }
        let coldStart = MaskColdStart(model: model)
        let overlap = large.withUnsafeBufferPointer {
            coldStart.overlap(p, camera: RenderCamera(camera), mask: MaskView($0.baseAddress!, width: width, height: height))
        }
        let oracle = countedIoU(drawn, large)
        XCTAssertEqual(overlap.intersectionOverUnion, oracle, accuracy: 1e-12)
        XCTAssertEqual(overlap.drawn, drawn.filter { $0 >= 128 }.count)
        XCTAssertEqual(overlap.mask, large.filter { $0 >= 128 }.count)
        XCTAssertLessThan(oracle, 0.8, "the case is a real disagreement")

        // What the record said before: the grid around the keypoints, which sees the arm's first part only.
        let term = SilhouetteFitTerm(model: model, camera: RenderCamera(camera), gridSize: 64)
        large.withUnsafeBufferPointer { term.setTarget(mask: MaskView($0.baseAddress!, width: width, height: height), around: keypoints) }
        let grid = p.vector.withUnsafeBufferPointer { term.gridIoU(at: $0) }
        print("small fit in a large mask: grid IoU \(grid), full-frame IoU \(overlap.intersectionOverUnion)")
        XCTAssertGreaterThan(Double(grid), oracle + 0.05, "the grid overstated it")
    }

    /// Evidence that puts the hand turned half a turn, mirrored, or at two thirds of its size: the
    /// plain cold fit stays wrong, the search finds the hand.
    func testTheSearchRecoversWrongGuesses() throws {
        let truth = hand(orient: SIMD3(-.pi / 2, 0, 0.3), transl: SIMD3(0.01, 0.0, 0.5))
        let target = mask(of: truth)
        let truthKeypoints = model.keypoints(truth)
        var centroid = SIMD3<Double>.zero
        for k in truthKeypoints { centroid += k }
        centroid /= 21
        var settings = FitSettings(camera: camera)
        settings.filter = nil
        settings.weights.pixelSigma *= 4
        settings.weights.worldSigma *= 4
        // As the fitting stage does beside a mask: the outline draws the model's own bones.
        settings.estimateBoneLengths = false
        let regressor = try HandRegressor.bundled()
        var components = MaskComponents()
        let region = try XCTUnwrap(MaskRegion.find(mask: target, width: width, height: height, components: &components))
        let wrongs: [(String, (SIMD2<Double>) -> SIMD2<Double>, Mat3)] = [
            ("half a turn", { region.center - ($0 - region.center) }, AxisAngle.matrix(SIMD3(0, 0, .pi))),
            ("two thirds the size", { region.center + 0.67 * ($0 - region.center) }, .identity),
        ]
        for (name, move, turn) in wrongs {
            var evidence = FitEvidence(keypoints: truthKeypoints.map { move(camera.project($0)) },
                                       world: truthKeypoints.map { turn * ($0 - centroid) })
            evidence.isLeft = false
            let fitter = HandFitter(model: model, regressor: regressor, settings: settings)
            let term = SilhouetteFitTerm(model: model, camera: RenderCamera(camera), gridSize: 64, cellSigma: 0.3)
            fitter.extraTerm = term
            var result = HandFitResult()
            let coldStart = MaskColdStart(model: model)
            if name.hasPrefix("half") {
                // For reference: the same fit from the true keypoints.
                let right = HandFitter(model: model, regressor: regressor, settings: settings)
                right.extraTerm = term
                var r = HandFitResult()
                let e = FitEvidence(keypoints: truthKeypoints.map { camera.project($0) }, world: truthKeypoints.map { $0 - centroid })
                target.withUnsafeBufferPointer { buffer in
                    let view = MaskView(buffer.baseAddress!, width: width, height: height)
                    term.setTarget(mask: view, around: e.keypoints, including: region)
                    right.fit(e, time: 0, continuesTrack: false, into: &r)
                    print("from the true keypoints: IoU \(coldStart.overlap(r.parameters, camera: RenderCamera(camera), mask: view).intersectionOverUnion)")
                }
            }
            try target.withUnsafeBufferPointer { buffer in
                let view = MaskView(buffer.baseAddress!, width: width, height: height)
                term.setTarget(mask: view, around: evidence.keypoints, including: region)
                fitter.fit(evidence, time: 0, continuesTrack: false, into: &result)
                let plain = coldStart.overlap(result.parameters, camera: RenderCamera(camera), mask: view).intersectionOverUnion
                let found = coldStart.search(fitter: fitter, result: &result, evidence: evidence, term: term, mask: view,
                                             region: region, camera: camera, time: 0,
                                             makeFitter: { HandFitter(model: self.model, regressor: regressor, settings: settings) })
                let reported = coldStart.overlap(result.parameters, camera: RenderCamera(camera), mask: view)
                print("\(name): plain cold fit IoU \(plain), searched \(found.overlap.intersectionOverUnion), \(result.milliseconds) ms")
                XCTAssertEqual(reported, found.overlap, "the result is the winner's")
                XCTAssertGreaterThanOrEqual(found.overlap.intersectionOverUnion, plain)
                XCTAssertGreaterThan(found.overlap.intersectionOverUnion, 0.85, name)
                _ = try XCTUnwrap(found.fitter as HandFitter?)
            }
        }
    }
}
