import Fitting
import HandModel
import XCTest

final class HandFitterTests: XCTestCase {
    let model = HandModel.builtIn(side: .right)
    let camera = PinholeCamera(fx: 900, fy: 900, cx: 360, cy: 360)

    /// A slowly moving synthetic hand: after the first (cold) frame the fitter warm-starts, stays
    /// within a few pixels of the evidence, and its shape estimate approaches the true shape.
    func testTracksASequenceWarmAndLearnsTheShape() {
        var rng = SeededRandom(seed: 41)
        let hand = ClosingHand(model: model, rng: &rng)
        let shape = hand.shape
        var settings = FitSettings(camera: camera)
        settings.filter = nil
        let fitter = HandFitter(model: model, regressor: nil, settings: settings)
        var result = HandFitResult()
        let synth = ClosingHand.synthesizer
        var warmFrames = 0
        var lastErrors: [Double] = []
        for f in 0..<60 {
            let joints = synth.keypoints(model, hand.parameters(frame: f))
            let evidence = synth.evidence(for: joints, camera: camera, rng: &rng)
            fitter.fit(evidence, time: Double(f) / 30, continuesTrack: f > 0, into: &result)
            XCTAssertLessThan(result.reprojectionPixels, 6, "frame \(f)")
            if result.warm { warmFrames += 1 }
            if f >= 50 { lastErrors.append(Procrustes.alignedMeanDistance(result.joints3d, joints)) }
        }
        XCTAssertGreaterThan(warmFrames, 50)
        XCTAssertLessThan(lastErrors.reduce(0, +) / Double(lastErrors.count), 0.004)
        // Shape is held by the track: its estimate's keypoints at rest are close to the truth's.
        let est = model.keypoints(HandParameters(shape: fitter.trackShape.shape))
        let truth = model.keypoints(HandParameters(shape: shape))
        let restError = zip(est, truth).map { (($0 - $1) * ($0 - $1)).sum().squareRoot() }.reduce(0, +) / 21
        let meanShapeError = zip(model.keypoints(HandParameters()), truth).map { (($0 - $1) * ($0 - $1)).sum().squareRoot() }.reduce(0, +) / 21
        // Two seconds in, every frame still weighs the same, the first ones (fitted with a mean hand)
        // too: measured 0.54 of the mean hand's error here (a 50-frame forgetting window reached
        // under 0.5, but never settled on the real clip).
        XCTAssertLessThan(restError, 0.6 * meanShapeError)
    }

    /// A left hand (the model's mirror image) is fitted with the left model, and the regressor
    /// path (mirroring the evidence in and the estimate out) lands as close as the right hand's.
    func testFitsLeftHandsLikeRightHands() {
        var rng = SeededRandom(seed: 43)
        let sampler = PoseSampler(model: model)
        let (regressor, _) = RegressorTraining.train(model: model, options: .quick)
        var synth = EvidenceSynthesizer()
        synth.dropout = 0; synth.outliers = 0
        var settings = FitSettings(camera: camera)
        settings.filter = nil
        let right = HandFitter(model: model, regressor: regressor, settings: settings)
        let left = HandFitter(model: HandModel.builtIn(side: .left), regressor: regressor, settings: settings)
        var result = HandFitResult()
        var errors: [Bool: [Double]] = [false: [], true: []]
        for _ in 0..<20 {
            let hand = synth.synthesize(model: model, pose: sampler.sample(&rng), shape: PoseSampler.sampleShape(&rng),
                                        camera: camera, width: 720, height: 720, rng: &rng)
            right.fit(hand.evidence, time: 0, continuesTrack: false, into: &result)
            errors[false]!.append(Procrustes.alignedMeanDistance(result.joints3d, hand.joints))
            // The mirror image x -> -x about the camera's optical axis.
            let mirrored = hand.joints.map { SIMD3(-$0.x, $0.y, $0.z) }
            let evidence = synth.evidence(for: mirrored, camera: camera, isLeft: true, rng: &rng)
            left.fit(evidence, time: 0, continuesTrack: false, into: &result)
            errors[true]!.append(Procrustes.alignedMeanDistance(result.joints3d, mirrored))
        }
        let meanRight = errors[false]!.reduce(0, +) / 20, meanLeft = errors[true]!.reduce(0, +) / 20
        XCTAssertLessThan(meanLeft, 0.006)
        XCTAssertLessThan(meanLeft, 1.5 * meanRight + 0.001)
    }

    /// A warm frame's pose ignores the world landmarks `FitWeights.warmWorldJointWeights` leaves out
    /// (the thumb's MCP and IP here), while a cold fit and the warm frame's judged cost (what decides a
    /// re-initialization) weigh them: the cost equals the problem's own evaluation with the cold
    /// fit's world weights and the landmarks turned onto the fit, computed here apart from the fitter.
    func testWarmFramesLeaveOutUntrustedWorldLandmarksButAreJudgedByThem() {
        var rng = SeededRandom(seed: 53)
        let sampler = PoseSampler(model: model)
        let pose = sampler.pose(PoseSampler.articulations["relaxed"]!, jitter: 0, rng: &rng)
        var synth = EvidenceSynthesizer()
        synth.dropout = 0; synth.outliers = 0
        var settings = FitSettings(camera: camera)
        settings.filter = nil
        // The track's shape, scale and bones stay at their start, so the bare problem below sees
        // what the fitter saw.
        settings.estimateShape = false
        let weights = settings.weights
        XCTAssertEqual(weights.worldJointWeights[3], 1)
        XCTAssertEqual(weights.warmWorldJointWeights?[2], 0)
        XCTAssertEqual(weights.warmWorldJointWeights?[3], 0)
        var frames: [FitEvidence] = []
        for f in 0..<2 {
            let p = HandParameters(globalOrient: SIMD3(2.2, 0.1 + 0.02 * Double(f), 0.2), pose: pose, transl: SIMD3(0, 0.01, 0.45))
            frames.append(synth.evidence(for: synth.keypoints(model, p), camera: camera, rng: &rng))
        }
        // The thumb's MCP and IP moved apart, their centroid (and so the world term's origin) kept.
        var moved = frames[1]
        moved.world[3] += SIMD3(0.006, -0.004, 0.008)
        moved.world[2] -= SIMD3(0.006, -0.004, 0.008)

        func run(_ second: FitEvidence) -> HandFitResult {
            let fitter = HandFitter(model: model, regressor: nil, settings: settings)
            var result = HandFitResult()
            fitter.fit(frames[0], time: 0, continuesTrack: false, into: &result)
            fitter.fit(second, time: 1.0 / 30, continuesTrack: true, into: &result)
            return result
        }
        let a = run(frames[1]), b = run(moved)
        XCTAssertTrue(a.warm && b.warm)
        let apart = zip(a.joints3d, b.joints3d).map { (($0 - $1) * ($0 - $1)).sum().squareRoot() }.max()!
        XCTAssertLessThan(apart, 1e-9, "the warm pose does not read the thumb's MCP and IP world landmarks")
        XCTAssertGreaterThan(b.dataCostPerKeypoint, a.dataCostPerKeypoint + 1e-3, "the judged cost does")

        // The judged cost, recomputed from the bare problem at the fitted parameters.
        var judge = weights
        judge.pixelSigma = weights.warmPixelSigma!
        let problem = HandFitProblem(model: HandModelKeypoints(model: model), camera: camera, poseLimits: model.poseLimits,
                                     weights: judge)
        problem.setEvidence(moved)
        b.boneFactors.withUnsafeBufferPointer { problem.boneScaling.set($0) }
        // Judged by articulation: the world landmarks first turned onto the fitted keypoints.
        _ = b.parameters.vector.withUnsafeBufferPointer { problem.evaluateData(at: $0) }
        let keypoints = (0..<21).map { j in SIMD3(problem.keypointsBuffer[3 * j], problem.keypointsBuffer[3 * j + 1], problem.keypointsBuffer[3 * j + 2]) }
        let centroid = moved.world.reduce(SIMD3<Double>.zero, +) / 21
        let centred = moved.world.map { $0 - centroid }
        let turn = Procrustes.align(centred, to: keypoints, withScale: false).rotation
        var turned = moved
        turned.world = centred.map { turn * $0 }
        problem.setEvidence(turned)
        let cost = b.parameters.vector.withUnsafeBufferPointer { problem.evaluateData(at: $0).dataCost } / 21
        XCTAssertEqual(b.dataCostPerKeypoint, cost, accuracy: 1e-9 * max(cost, 1))

        // A cold fit reads it.
        let fitter = HandFitter(model: model, regressor: nil, settings: settings)
        var c = HandFitResult(), d = HandFitResult()
        fitter.fit(frames[1], time: 0, continuesTrack: false, into: &c)
        fitter.fit(moved, time: 0, continuesTrack: false, into: &d)
        let coldApart = zip(c.joints3d, d.joints3d).map { (($0 - $1) * ($0 - $1)).sum().squareRoot() }.max()!
        XCTAssertGreaterThan(coldApart, 1e-5)
    }

    /// The landmark network's world hand can turn away from the hand for a stretch of frames (view 0
    /// of the stereo clip, frames 326–345). Every frame of that stretch here tries a cold fit (a jump
    /// factor that always fires); the cold start takes its rotation from the landmarks, so judged
    /// with their orientation it would win and turn the track with them. Judged by articulation, the
    /// warm fits, which the keypoints hold, stay, and they do not lean toward the turned landmarks.
    func testAWorldHandTurnedAwayDoesNotTurnTheTrack() throws {
        var rng = SeededRandom(seed: 43)
        let hand = ClosingHand(model: model, rng: &rng)
        var settings = FitSettings(camera: camera)
        settings.filter = nil
        let fitter = HandFitter(model: model, regressor: try HandRegressor.bundled(), settings: settings)
        var result = HandFitResult()
        let synth = ClosingHand.synthesizer
        let turn = AxisAngle.matrix(SIMD3(0.0, 0.6, 0.0))  // 34° about the camera's vertical axis
        var worst = 0.0, worstBefore = 0.0, coldWins = 0
        for f in 0..<60 {
            let joints = synth.keypoints(model, hand.parameters(frame: f))
            var evidence = synth.evidence(for: joints, camera: camera, rng: &rng)
            let turned = f >= 30 && f < 50
            if turned { evidence.world = evidence.world.map { turn * $0 } }
            fitter.settings.jumpFactor = turned ? 0 : FitSettings(camera: camera).jumpFactor
            fitter.fit(evidence, time: Double(f) / 30, continuesTrack: f > 0, into: &result)
            // The fit's orientation against the truth's: the rotation that aligns their joints.
            let r = Procrustes.align(result.joints3d, to: joints, withScale: false).rotation
            let w = AxisAngle.vector(r)
            let angle = (w * w).sum().squareRoot()
            if f >= 10 && f < 30 { worstBefore = max(worstBefore, angle) }
            guard turned else { continue }
            if !result.warm { coldWins += 1 }
            worst = max(worst, angle)
        }
        print(String(format: "orientation error: worst %.3f rad with the world hand turned, %.3f before", worst, worstBefore))
        XCTAssertEqual(coldWins, 0, "cold fits that follow the turned world hand were kept")
        // Warm frames take the landmarks' orientation beyond `worldOrientationLimit` (0.5 rad) as no
        // evidence, so they are as far from the truth as before the turn (0.055 rad against 0.060);
        // taking it, they leaned to 0.118 rad.
        XCTAssertLessThan(worst, worstBefore + 0.02, "the track turned with the world hand (worst \(worst) rad, \(coldWins) cold fits kept)")
    }

    /// A hand sweeping sideways: the filter lags it, and anchoring puts the reported hand back on
    /// the keypoints without changing its articulation (centroid-relative joints).
    func testAnchoringRemovesTheFiltersLagFromTheImage() {
        var rng = SeededRandom(seed: 47)
        let sampler = PoseSampler(model: model)
        let pose = sampler.pose(PoseSampler.articulations["relaxed"]!, jitter: 0, rng: &rng)
        var synth = EvidenceSynthesizer()
        synth.dropout = 0; synth.outliers = 0; synth.worldRotationNoise = 0; synth.worldScaleNoise = 0
        var evidence: [FitEvidence] = []
        for f in 0..<40 {
            // 0.3 m/s across the image at 0.45 m: about 20 px a frame.
            let p = HandParameters(globalOrient: SIMD3(2.2, 0.1, 0.2), pose: pose, transl: SIMD3(-0.15 + 0.01 * Double(f), 0.01, 0.45))
            evidence.append(synth.evidence(for: synth.keypoints(model, p), camera: camera, rng: &rng))
        }
        func run(anchored: Bool, filtered: Bool = true) -> (reprojection: Double, centred: [[SIMD3<Double>]]) {
            var settings = FitSettings(camera: camera)
            settings.filter!.anchorsToKeypoints = anchored
            if !filtered { settings.filter = nil }
            let fitter = HandFitter(model: model, regressor: nil, settings: settings)
            var result = HandFitResult()
            var reprojection = 0.0, centred: [[SIMD3<Double>]] = []
            for (f, e) in evidence.enumerated() {
                fitter.fit(e, time: Double(f) / 30, continuesTrack: f > 0, into: &result)
                if f >= 10 { reprojection += result.reprojectionPixels / 30 }
                let c = result.joints3d.reduce(SIMD3<Double>.zero, +) / 21
                centred.append(result.joints3d.map { $0 - c })
            }
            return (reprojection, centred)
        }
        let lagging = run(anchored: false), anchored = run(anchored: true), unfiltered = run(anchored: false, filtered: false)
        // Measured: 2.4 px unfiltered (the evidence's noise), 5.1 filtered, 3.1 anchored.
        XCTAssertGreaterThan(lagging.reprojection - unfiltered.reprojection, 2, "the filter lags a fast sweep")
        XCTAssertLessThan(anchored.reprojection - unfiltered.reprojection, 0.35 * (lagging.reprojection - unfiltered.reprojection),
                          "anchoring removes most of the lag's error")
        // Depth is held, so the articulation's shape barely changes (perspective only).
        for (a, b) in zip(anchored.centred, lagging.centred) {
            let d = zip(a, b).map { (($0 - $1) * ($0 - $1)).sum().squareRoot() }.max()!
            XCTAssertLessThan(d, 0.002)
        }
    }
}

/// A model file whose template points another way than the built-in hand (as MANO's own frame may):
/// the regressor learned on the built-in hand, so its pose is carried into the file's frame, and
/// cold fits are as accurate as the built-in hand's on the same evidence.
final class TurnedTemplateFitTests: XCTestCase {
    func testColdFitsOfATurnedTemplateMatchTheBuiltInHand() throws {
        let original = HandModel.builtIn(side: .right)
        func turn(_ p: SIMD3<Double>) -> SIMD3<Double> { SIMD3(-p.y, p.x, p.z) }
        let turned = try HandModel(tensors: original.tensors.rotated(turn), side: .right)
        let camera = PinholeCamera(fx: 600, fy: 600, cx: 320, cy: 240)
        var rng = SeededRandom(seed: 5)
        let sampler = PoseSampler(model: original)
        var settings = FitSettings(camera: camera)
        settings.filter = nil
        // A photo's weights, where the regressor's pose is a firm prior.
        settings.weights = .stillImage
        let regressor = try HandRegressor.bundled()
        var builtInErrors: [Double] = [], turnedErrors: [Double] = []
        var result = HandFitResult()
        for _ in 0..<60 {
            let hand = EvidenceSynthesizer().synthesize(model: original, pose: sampler.sample(&rng), shape: PoseSampler.sampleShape(&rng),
                                                        camera: camera, width: 640, height: 480, rng: &rng)
            for model in [original, turned] {
                let fitter = HandFitter(model: model, regressor: regressor, settings: settings)
                fitter.fit(hand.evidence, time: 0, continuesTrack: false, into: &result)
                let error = Procrustes.alignedMeanDistance(result.joints3d, hand.joints) * 1000
                if model === original { builtInErrors.append(error) } else { turnedErrors.append(error) }
            }
        }
        // Measured 2.74 mm each; without carrying the pose over, the turned template scored 3.51 mm.
        let builtIn = builtInErrors.reduce(0, +) / 60, file = turnedErrors.reduce(0, +) / 60
        print(String(format: "cold PA-MPJPE: built-in %.2f mm, turned template %.2f mm", builtIn, file))
        XCTAssertLessThan(file, builtIn * 1.1 + 0.3, "a template in another frame fits as well")
    }
}

/// A hand of a random shape closing from relaxed to a grasp over 60 frames while it turns and
/// drifts a little, with clean evidence apart from keypoint and world-landmark noise.
struct ClosingHand {
    let shape: [Double]
    let open: [Double]
    let closed: [Double]

    init(model: HandModel, rng: inout SeededRandom) {
        let sampler = PoseSampler(model: model)
        shape = PoseSampler.sampleShape(&rng, sigma: 0.8)
        open = sampler.pose(PoseSampler.articulations["relaxed"]!, jitter: 0, rng: &rng)
        closed = sampler.pose(PoseSampler.articulations["grasp"]!, jitter: 0, rng: &rng)
    }

    func parameters(frame f: Int) -> HandParameters {
        let t = Double(f) / 59
        return HandParameters(globalOrient: SIMD3(2.2, 0.3 * t, 0.2), pose: zip(open, closed).map { (1 - t) * $0 + t * $1 },
                              shape: shape, transl: SIMD3(0.02 * t, 0.01, 0.45))
    }

    static var synthesizer: EvidenceSynthesizer {
        var synth = EvidenceSynthesizer()
        synth.dropout = 0; synth.outliers = 0; synth.worldRotationNoise = 0; synth.worldScaleNoise = 0
        return synth
    }
}
