import Fitting
import Foundation
import HandModel
import XCTest

/// `handmesh train regressor --from-fits`: which fitted frames are kept and why, and that training
/// on them is deterministic.
final class SelfAugmentationTests: XCTestCase {
    let model = HandModel.builtIn(side: .right)

    /// Records as `handmesh run` writes them: one track of `count` frames, cold at `colds`, with a
    /// bad reprojection at `badReprojection` and a far world landmark set at `badWorld`.
    func records(count: Int, colds: Set<Int> = [0], badReprojection: Set<Int> = [], badWorld: Set<Int> = [],
                 handedness: String = "right") -> String {
        let sampler = PoseSampler(model: model)
        var rng = SeededRandom(seed: 5)
        var lines = [#"{"type":"header","stream":"test"}"#]
        func list(_ v: [Double]) -> String { "[" + v.map { String(format: "%.5f", $0) }.joined(separator: ",") + "]" }
        func rows(_ p: [SIMD3<Double>]) -> String { "[" + p.map { list([$0.x, $0.y, $0.z]) }.joined(separator: ",") + "]" }
        for i in 0..<count {
            let p = HandParameters(globalOrient: SIMD3(0.3, -0.2, 0.1), pose: sampler.sample(&rng),
                                   shape: (0..<10).map { Double($0) * 0.1 }, transl: SIMD3(0, 0, 0.5))
            let joints = model.keypoints(p, boneFactors: model.landmarkBoneFactors)
            let world = badWorld.contains(i) ? joints.enumerated().map { $1 + SIMD3(Double($0 % 3) * 0.06, 0, 0) } : joints
            let reprojection = badReprojection.contains(i) ? 20.0 : 2.0
            let hand = """
            {"track":1,"handedness":"\(handedness)","landmarks":[],"world_landmarks":\(rows(world)),\
            "roi":{"cx":300,"cy":300,"size":400,"rotation":0},"global_orient":\(list([0.3, -0.2, 0.1])),\
            "pose":\(list(p.pose)),"shape":\(list(p.shape)),"joints3d":\(rows(joints)),\
            "fit":{"iterations":3,"reprojection_px":\(reprojection),"ms":0.2,"warm":\(!colds.contains(i))}}
            """
            lines.append(#"{"type":"frame","index":\#(i),"pts":\#(Double(i) / 30),"hands":[\#(hand)]}"#)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func write(_ text: String, _ name: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("selfaug-\(getpid())-\(name).ndjson")
        try text.write(to: url, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    func testSelectionKeepsConfidentSettledFramesAndSaysWhy() throws {
        let path = try write(records(count: 100, colds: [0, 70], badReprojection: [40], badWorld: [45]), "select")
        let fits = try FittedFrames(paths: [path], selection: FitSelection())
        // 0–29 unsettled; 55–85 near the cold restart at 70; 40 and 45 disagree with the evidence.
        XCTAssertEqual(fits.considered, 100)
        XCTAssertEqual(fits.dropped, ["track not settled": 30, "cold start nearby": 31, "reprojection": 1,
                                      "world-landmark residual": 1])
        XCTAssertEqual(fits.frames.count, 37)
        XCTAssertEqual(fits.summary, "kept 37 of 100 fitted frames; dropped 31 cold start nearby, 30 track not settled, 1 reprojection, 1 world-landmark residual")
        XCTAssertFalse(fits.frames.contains { [40, 45, 70].contains($0.index) })

        var heldOut = FitSelection()
        heldOut.beforeFrame = 50
        let early = try FittedFrames(paths: [path], selection: heldOut)
        XCTAssertEqual(early.considered, 50)
        XCTAssertTrue(early.frames.allSatisfy { $0.index < 50 })
    }

    /// A left hand's fit is mirrored into the right-hand frame the regressor is trained in.
    func testLeftHandFitsAreMirrored() throws {
        let right = try FittedFrames(paths: [try write(records(count: 40), "right")], selection: FitSelection())
        let left = try FittedFrames(paths: [try write(records(count: 40, handedness: "left"), "left")], selection: FitSelection())
        XCTAssertEqual(left.frames.count, right.frames.count)
        let r = right.frames[0], l = left.frames[0]
        XCTAssertEqual(l.globalOrient, AxisAngle.mirrored(r.globalOrient))
        XCTAssertEqual(l.pose[4], -r.pose[4], accuracy: 1e-12)
        XCTAssertEqual(l.pose[3], r.pose[3], accuracy: 1e-12)
        XCTAssertEqual(l.shape, r.shape)
    }

    func testMalformedFitsNameFileAndLine() throws {
        var text = records(count: 3)
        text += #"{"type":"frame","index":3,"hands":[{"track":1,"fit":{"reprojection_px":1,"warm":true},"pose":[1,2]}]}"# + "\n"
        let path = try write(text, "bad")
        XCTAssertThrowsError(try FittedFrames(paths: [path], selection: FitSelection())) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path): line 5: "), "\(error)")
        }
        let notJSON = try write("{\"type\":\"header\"}\nnot json\n", "notjson")
        XCTAssertThrowsError(try FittedFrames(paths: [notJSON], selection: FitSelection())) { error in
            XCTAssertEqual("\(error)", "\(notJSON): line 2: not a JSON object")
        }
    }

    /// The same seed and fits give the same weights bit for bit; the fits change them.
    func testTrainingFromFitsIsDeterministic() throws {
        let fits = try FittedFrames(paths: [try write(records(count: 60), "train")], selection: FitSelection()).frames
        XCTAssertFalse(fits.isEmpty)
        var o = RegressorTrainingOptions.quick
        o.steps = 20; o.batchSize = 16; o.validationSize = 32
        let (a, _) = RegressorTraining.train(model: model, options: o, fits: fits)
        let (b, _) = RegressorTraining.train(model: model, options: o, fits: fits)
        let (modelOnly, _) = RegressorTraining.train(model: model, options: o)
        XCTAssertEqual(a.network, b.network)
        XCTAssertNotEqual(a.network, modelOnly.network)
    }

    /// A refit without bone factors finds parameters whose joints are the fitted ones: here the
    /// records' joints are the model's own, so the refit must land on them.
    func testRefitReproducesTheFittedJoints() throws {
        var fits = try FittedFrames(paths: [try write(records(count: 40), "refit")], selection: FitSelection())
        let before = fits.frames
        fits.refit(model: model, regressor: try HandRegressor.bundled())
        for (a, b) in zip(before, fits.frames) {
            // Refitted as a cold start reads them: at the landmark network's proportions.
            let joints = model.keypoints(HandParameters(globalOrient: b.globalOrient, pose: b.pose, shape: b.shape),
                                         boneFactors: model.landmarkBoneFactors)
            XCTAssertLessThan(Procrustes.alignedMeanDistance(joints, a.joints), 0.002)
        }
    }

    /// Augmented samples stay within the joint limits and spread around the fitted shape.
    func testAugmentationStaysInLimits() throws {
        let fits = try FittedFrames(paths: [try write(records(count: 40), "augment")], selection: FitSelection()).frames
        let limits = model.poseLimits
        var rng = SeededRandom(seed: 9)
        var meanShape = [Double](repeating: 0, count: 10)
        for _ in 0..<500 {
            let s = SelfAugmentation().sample(around: fits[0], limits: limits, rng: &rng)
            for i in 0..<45 { XCTAssertTrue(limits[i].contains(s.pose[i])) }
            for i in 0..<10 { meanShape[i] += s.shape[i] / 500 }
            let r = s.rotation
            XCTAssertEqual((r.transposed * r).c0.x, 1, accuracy: 1e-9)
        }
        for i in 0..<10 { XCTAssertEqual(meanShape[i], fits[0].shape[i], accuracy: 0.1) }
    }
}
