import Fitting
import HandModel
import XCTest

/// The bone-length factors (`BoneScaling`) inside the refinement: the data rows' Jacobian with
/// factors away from one, and the residuals' derivative with respect to the factors, both
/// against central differences; and the track's estimate recovering factors it was shown.
final class BoneScalingTests: XCTestCase {
    let model = HandModel.builtIn(side: .right)
    let camera = PinholeCamera(fx: 926, fy: 925, cx: 356, cy: 355, k1: -0.014, k2: 1.42, p1: -0.0035, p2: -0.0036, k3: -6.39)
    let factors = (0..<20).map { 0.8 + 0.02 * Double($0) }

    /// A problem whose evidence is the hand's keypoints with `shown` factors applied (so that at
    /// those factors every Huber weight is one and the Gauss–Newton rows are exact derivatives).
    func makeProblem(seed: UInt64, perturbation: Double, shown: [Double]? = nil) -> (HandFitProblem<HandModelKeypoints>, [Double], SyntheticHand) {
        var rng = SeededRandom(seed: seed)
        let sampler = PoseSampler(model: model)
        // The model's own proportions: at identity factors every Huber weight is one.
        var synth = EvidenceSynthesizer.clean
        synth.landmarkProportions = false
        var hand = synth.synthesize(model: model, pose: sampler.sample(&rng), shape: PoseSampler.sampleShape(&rng),
                                                        camera: camera, width: 720, height: 720, rng: &rng)
        let problem = HandFitProblem(model: HandModelKeypoints(model: model), camera: camera, poseLimits: model.poseLimits)
        if let shown {
            shown.withUnsafeBufferPointer { problem.boneScaling.set($0) }
            _ = hand.parameters.vector.withUnsafeBufferPointer { problem.evaluateData(at: $0) }
            let kp = Array(problem.keypointsBuffer)
            for j in 0..<21 {
                let p = SIMD3(kp[3 * j], kp[3 * j + 1], kp[3 * j + 2])
                hand.evidence.keypoints[j] = camera.project(p)
                hand.evidence.world[j] = p
            }
            problem.boneScaling.setIdentity()
        }
        problem.setEvidence(hand.evidence)
        var x = hand.parameters.vector
        for i in 0..<58 { x[i] += perturbation * rng.gaussian() }
        return (problem, x, hand)
    }

    func linearize(_ problem: HandFitProblem<HandModelKeypoints>, _ x: [Double]) -> (jacobian: [Double], residual: [Double], bones: [Double]) {
        var jtj = [Double](repeating: 0, count: 61 * 61), jtr = [Double](repeating: 0, count: 61)
        _ = x.withUnsafeBufferPointer { xs in
            jtj.withUnsafeMutableBufferPointer { a in jtr.withUnsafeMutableBufferPointer { b in problem.linearize(at: xs, jtj: a, jtr: b) } }
        }
        return (Array(problem.lastDataJacobian), Array(problem.lastDataResidual), Array(problem.lastBoneColumns))
    }

    func testScaledDataJacobianMatchesFiniteDifferences() {
        let (problem, x, _) = makeProblem(seed: 31, perturbation: 0.003, shown: factors)
        problem.shapeFree = true
        factors.withUnsafeBufferPointer { problem.boneScaling.set($0) }
        let base = linearize(problem, x)
        let rows = HandFitProblem<HandModelKeypoints>.dataRows
        let h = 1e-6
        for k in 0..<61 {
            var xp = x, xm = x
            xp[k] += h; xm[k] -= h
            let rp = linearize(problem, xp).residual, rm = linearize(problem, xm).residual
            for r in 0..<rows {
                let fd = (rp[r] - rm[r]) / (2 * h)
                XCTAssertEqual(base.jacobian[r * 61 + k], fd, accuracy: 1e-4 * max(1, abs(fd)), "row \(r) column \(k)")
            }
        }
        // The cost path (no Jacobian) scales the same way.
        let c = x.withUnsafeBufferPointer { problem.cost(at: $0) }
        var jtj = [Double](repeating: 0, count: 61 * 61), jtr = [Double](repeating: 0, count: 61)
        let cl = x.withUnsafeBufferPointer { xs in
            jtj.withUnsafeMutableBufferPointer { a in jtr.withUnsafeMutableBufferPointer { b in problem.linearize(at: xs, jtj: a, jtr: b) } }
        }
        XCTAssertEqual(c, cl, accuracy: 1e-9 * c)
    }

    func testFactorColumnsMatchFiniteDifferences() {
        for identity in [true, false] {
            let (problem, x, _) = makeProblem(seed: 32, perturbation: 0.003, shown: identity ? nil : factors)
            let s0 = identity ? [Double](repeating: 1, count: 20) : factors
            s0.withUnsafeBufferPointer { problem.boneScaling.set($0) }
            let base = linearize(problem, x)
            let rows = HandFitProblem<HandModelKeypoints>.dataRows
            let h = 1e-6
            for b in 0..<20 {
                var sp = s0, sm = s0
                sp[b] += h; sm[b] -= h
                sp.withUnsafeBufferPointer { problem.boneScaling.set($0) }
                let rp = linearize(problem, x).residual
                sm.withUnsafeBufferPointer { problem.boneScaling.set($0) }
                let rm = linearize(problem, x).residual
                for r in 0..<rows {
                    let fd = (rp[r] - rm[r]) / (2 * h)
                    XCTAssertEqual(base.bones[r * 20 + b], fd, accuracy: 1e-4 * max(1, abs(fd)), "row \(r) bone \(b) identity \(identity)")
                }
            }
        }
    }

    /// Evidence made with lengthened and shortened bones: the track's estimate, fed each frame's
    /// information at the true pose, moves the factors toward the truth.
    func testTrackEstimateMovesTowardShownFactors() {
        let (problem, _, hand) = makeProblem(seed: 33, perturbation: 0, shown: factors)
        let x = hand.parameters.vector
        var track = TrackShape(shape: Array(x[48..<58]))
        track.boneSigma = 0.5
        for _ in 0..<20 {
            track.boneFactors.withUnsafeBufferPointer { problem.boneScaling.set($0) }
            _ = linearize(problem, x)
            track.add(jacobian: problem.lastDataJacobian, residual: problem.lastDataResidual,
                      scaleColumn: problem.lastScaleColumn, boneColumns: problem.lastBoneColumns,
                      rows: HandFitProblem<HandModelKeypoints>.dataRows)
        }
        var before = 0.0, after = 0.0
        for b in 0..<20 { before += abs(1 - factors[b]); after += abs(track.boneFactors[b] - factors[b]) }
        XCTAssertLessThan(after, 0.3 * before, "factors \(track.boneFactors)")
    }
}
