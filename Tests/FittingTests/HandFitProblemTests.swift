import Fitting
import HandModel
import XCTest

/// Every residual block's Jacobian against finite differences.
final class HandFitProblemTests: XCTestCase {
    let model = HandModel.builtIn(side: .right)
    let camera = PinholeCamera(fx: 926, fy: 925, cx: 356, cy: 355, k1: -0.014, k2: 1.42, p1: -0.0035, p2: -0.0036, k3: -6.39)

    func makeProblem(noise: Double, seed: UInt64, perturbation: Double = 0.02) -> (HandFitProblem<HandModelKeypoints>, [Double]) {
        var rng = SeededRandom(seed: seed)
        let sampler = PoseSampler(model: model)
        var synth = EvidenceSynthesizer.clean
        synth.pixelNoise = noise
        let hand = synth.synthesize(model: model, pose: sampler.sample(&rng), shape: PoseSampler.sampleShape(&rng),
                                    camera: camera, width: 720, height: 720, rng: &rng)
        let problem = HandFitProblem(model: HandModelKeypoints(model: model), camera: camera, poseLimits: model.poseLimits)
        // The synthesizer draws the landmark network's proportions; the problem reads them so, as a
        // track starts (`FitSettings.landmarkProportions`), and the rows are checked with those factors.
        model.landmarkBoneFactors.withUnsafeBufferPointer { problem.boneScaling.set($0) }
        problem.setEvidence(hand.evidence)
        var x = hand.parameters.vector
        for i in 0..<58 { x[i] += perturbation * rng.gaussian() }
        return (problem, x)
    }

    /// J^T r from `linearize` is the exact gradient of the cost with every block switched on:
    /// robust reprojection (with outliers beyond the Huber threshold), world alignment with a
    /// scale, limits (some pose values pushed outside), regressor closeness, shape prior, temporal.
    func testGradientOfEveryBlockMatchesFiniteDifferences() {
        let (problem, x0) = makeProblem(noise: 0.05, seed: 21)
        var x = x0
        for i in [3, 7, 20, 44] { x[i] = problem.poseLimitsForTesting(i - 3).upperBound + 0.1 }
        problem.useTemporal = true
        problem.useRegressorPrior = true
        problem.shapeFree = true
        problem.worldScale = 1.07
        let prev = x.map { $0 + 0.03 }
        prev.withUnsafeBufferPointer { problem.setPrevious($0) }
        let reg = (0..<45).map { Double($0 % 5) * 0.05 }
        reg.withUnsafeBufferPointer { problem.setRegressorPose($0) }
        var jtj = [Double](repeating: 0, count: 61 * 61), jtr = [Double](repeating: 0, count: 61)
        let c0 = x.withUnsafeBufferPointer { xs in
            jtj.withUnsafeMutableBufferPointer { a in jtr.withUnsafeMutableBufferPointer { b in problem.linearize(at: xs, jtj: a, jtr: b) } }
        }
        XCTAssertEqual(c0, x.withUnsafeBufferPointer { problem.cost(at: $0) }, accuracy: 1e-9 * c0)
        for k in 0..<61 {
            let h = 1e-6
            var xp = x, xm = x
            xp[k] += h; xm[k] -= h
            let fd = (xp.withUnsafeBufferPointer { problem.cost(at: $0) } - xm.withUnsafeBufferPointer { problem.cost(at: $0) }) / (2 * h)
            XCTAssertEqual(jtr[k], fd, accuracy: 1e-5 * max(1, abs(fd)), "parameter \(k)")
        }
    }

    /// The whitened data rows (reprojection through the distorted camera, world alignment)
    /// against central differences of the residuals, where every Huber weight is one.
    func testDataJacobianRowsMatchFiniteDifferences() {
        let (problem, x) = makeProblem(noise: 0, seed: 22, perturbation: 0.003)
        problem.shapeFree = true
        var jtj = [Double](repeating: 0, count: 61 * 61), jtr = [Double](repeating: 0, count: 61)
        func linearize(_ p: [Double]) -> (jacobian: [Double], residual: [Double], scale: [Double]) {
            _ = p.withUnsafeBufferPointer { xs in
                jtj.withUnsafeMutableBufferPointer { a in jtr.withUnsafeMutableBufferPointer { b in problem.linearize(at: xs, jtj: a, jtr: b) } }
            }
            return (Array(problem.lastDataJacobian), Array(problem.lastDataResidual), Array(problem.lastScaleColumn))
        }
        let base = linearize(x)
        let rows = HandFitProblem<HandModelKeypoints>.dataRows
        let h = 1e-6
        for k in 0..<61 {
            var xp = x, xm = x
            xp[k] += h; xm[k] -= h
            let rp = linearize(xp).residual, rm = linearize(xm).residual
            for r in 0..<rows {
                let fd = (rp[r] - rm[r]) / (2 * h)
                XCTAssertEqual(base.jacobian[r * 61 + k], fd, accuracy: 1e-4 * max(1, abs(fd)), "row \(r) column \(k)")
            }
        }
        // d residual / d world scale.
        problem.worldScale = 1 + h
        let rp = linearize(x).residual
        problem.worldScale = 1 - h
        let rm = linearize(x).residual
        problem.worldScale = 1
        for r in 0..<rows {
            XCTAssertEqual(base.scale[r], (rp[r] - rm[r]) / (2 * h), accuracy: 1e-4, "scale row \(r)")
        }
    }

    /// A keypoint whose world landmark has no weight (warm frames' `FitWeights.digitBasesAndTips`:
    /// the thumb's MCP and IP, the fingers' PIP and DIP) has no world rows; the others do.
    func testUnweightedWorldLandmarksHaveNoRows() {
        let (problem, x) = makeProblem(noise: 0.05, seed: 23)
        problem.weights.worldJointWeights = FitWeights.digitBasesAndTips
        let weights = problem.weights.worldJointWeights
        XCTAssertEqual(weights.indices.filter { weights[$0] == 0 }, [2, 3, 6, 7, 10, 11, 14, 15, 18, 19])
        var jtj = [Double](repeating: 0, count: 61 * 61), jtr = [Double](repeating: 0, count: 61)
        _ = x.withUnsafeBufferPointer { xs in
            jtj.withUnsafeMutableBufferPointer { a in jtr.withUnsafeMutableBufferPointer { b in problem.linearize(at: xs, jtj: a, jtr: b) } }
        }
        let residual = problem.lastDataResidual, jacobian = problem.lastDataJacobian
        for j in 0..<21 {
            let rows = (42 + 3 * j)..<(45 + 3 * j)
            let size = rows.reduce(0.0) { t, r in t + abs(residual[r]) + (0..<61).reduce(0.0) { $0 + abs(jacobian[r * 61 + $1]) } }
            if weights[j] == 0 { XCTAssertEqual(size, 0, "keypoint \(j)") } else { XCTAssertGreaterThan(size, 0, "keypoint \(j)") }
        }
    }

    /// The articulation cost does not see the world landmarks' orientation: turned landmarks give
    /// the same cost, it is no more than the plain data cost, and it leaves the landmarks as they were.
    func testArticulationCostIgnoresTheWorldLandmarksOrientation() {
        var rng = SeededRandom(seed: 17)
        let sampler = PoseSampler(model: model)
        var synth = EvidenceSynthesizer.clean
        synth.pixelNoise = 0.004
        synth.worldNoise = 0.004
        let hand = synth.synthesize(model: model, pose: sampler.sample(&rng), shape: PoseSampler.sampleShape(&rng),
                                    camera: camera, width: 720, height: 720, rng: &rng)
        var x = hand.parameters.vector
        for i in 0..<58 { x[i] += 0.02 * rng.gaussian() }
        let handModel = model, camera = camera
        func loaded(_ evidence: FitEvidence) -> HandFitProblem<HandModelKeypoints> {
            let p = HandFitProblem(model: HandModelKeypoints(model: handModel), camera: camera, poseLimits: handModel.poseLimits)
            handModel.landmarkBoneFactors.withUnsafeBufferPointer { p.boneScaling.set($0) }
            p.setEvidence(evidence)
            return p
        }
        let straight = loaded(hand.evidence)
        let before = Array(straight.worldCenteredLandmarks)
        let plain = x.withUnsafeBufferPointer { straight.evaluateData(at: $0).dataCost }
        let articulation = x.withUnsafeBufferPointer { straight.articulationCost(at: $0) }
        XCTAssertLessThan(articulation, plain)
        XCTAssertEqual(Array(straight.worldCenteredLandmarks), before)

        var turnedEvidence = hand.evidence
        let turn = AxisAngle.random(&rng)
        turnedEvidence.world = hand.evidence.world.map { turn * $0 }
        let turned = loaded(turnedEvidence)
        let turnedPlain = x.withUnsafeBufferPointer { turned.evaluateData(at: $0).dataCost }
        XCTAssertGreaterThan(turnedPlain, 2 * plain, "the turn is large enough to show in the plain cost")
        XCTAssertEqual(x.withUnsafeBufferPointer { turned.articulationCost(at: $0) }, articulation, accuracy: 1e-9 * articulation)

        // Turned within the limit the landmarks stay as given; beyond it they are turned back onto
        // the keypoints, and the plain cost becomes the articulation cost.
        let angle = (AxisAngle.vector(turn) * AxisAngle.vector(turn)).sum().squareRoot()
        _ = x.withUnsafeBufferPointer { turned.evaluateData(at: $0) }
        let keypoints = Array(turned.keypointsBuffer)
        XCTAssertFalse(keypoints.withUnsafeBufferPointer { turned.turnWorld(onto: $0, beyond: angle + 0.2) })
        XCTAssertEqual(x.withUnsafeBufferPointer { turned.evaluateData(at: $0).dataCost }, turnedPlain)
        XCTAssertTrue(keypoints.withUnsafeBufferPointer { turned.turnWorld(onto: $0, beyond: max(0, angle - 0.2)) })
        XCTAssertEqual(x.withUnsafeBufferPointer { turned.evaluateData(at: $0).dataCost }, articulation, accuracy: 1e-9 * articulation)
    }
}

extension HandFitProblem {
    func poseLimitsForTesting(_ i: Int) -> ClosedRange<Double> { poseLimit(i) }
}
