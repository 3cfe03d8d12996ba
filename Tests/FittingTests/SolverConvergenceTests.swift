import Fitting
import HandModel
import XCTest

/// Without the temporal term (two-pass files, photos) the solves must still reach their optimum:
/// each is compared with the same fit given unlimited iterations and no cap on rejected steps.
final class SolverConvergenceTests: XCTestCase {
    let model = HandModel.builtIn(side: .right)
    let camera = PinholeCamera(fx: 900, fy: 900, cx: 360, cy: 360)

    static var unlimited: LMOptions {
        LMOptions(maxIterations: 300, relativeCostTolerance: 1e-10, stepTolerance: 1e-10, initialDamping: 1e-4)
    }

    /// A moving synthetic hand fitted warm frame to frame: without the temporal term, the solves
    /// come as close to their optimum as with it (at the same budget of iterations).
    func testWarmFramesWithoutTheTemporalTermConverge() {
        var excess: [Bool: Double] = [:]
        for temporal in [true, false] {
            var settings = FitSettings(camera: camera)
            settings.filter = nil
            settings.temporal = temporal
            var thorough = settings
            thorough.warmOptions = Self.unlimited
            thorough.warmOptionsWithoutTemporal = Self.unlimited
            thorough.coldOptions = Self.unlimited
            let (costs, errors) = fitSequence(settings), (best, bestErrors) = fitSequence(thorough)
            excess[temporal] = mean(costs) / mean(best) - 1
            print(String(format: "warm, temporal term %@: data cost %.4f vs %.4f with unlimited iterations (+%.1f%%); joint error %.2f vs %.2f mm",
                         temporal ? "on" : "off", mean(costs), mean(best), 100 * excess[temporal]!, 1000 * mean(errors), 1000 * mean(bestErrors)))
            XCTAssertLessThan(mean(errors), mean(bestErrors) + 0.0003, "temporal term \(temporal)")
        }
        XCTAssertLessThan(excess[false]!, 0.12)
    }

    /// Photos: each fitted cold on its own with the photo weights.
    func testPhotosConverge() throws {
        let (regressor, settings, thorough, sampler, synth) = try photoSetup()
        var rng = SeededRandom(seed: 7)
        var costs: [Double] = [], best: [Double] = [], errors: [Double] = [], bestErrors: [Double] = []
        var iterations: [Double] = [], apart: [Double] = []
        var result = HandFitResult(), converged = HandFitResult()
        for _ in 0..<40 {
            let hand = synth.synthesize(model: model, pose: sampler.sample(&rng), shape: PoseSampler.sampleShape(&rng), camera: camera,
                                         width: 720, height: 720, rng: &rng)
            HandFitter(model: model, regressor: regressor, settings: settings).fit(hand.evidence, time: 0, into: &result)
            costs.append(result.dataCostPerKeypoint)
            errors.append(Procrustes.alignedMeanDistance(result.joints3d, hand.joints))
            iterations.append(Double(result.iterations))
            HandFitter(model: model, regressor: regressor, settings: thorough).fit(hand.evidence, time: 0, into: &converged)
            best.append(converged.dataCostPerKeypoint)
            bestErrors.append(Procrustes.alignedMeanDistance(converged.joints3d, hand.joints))
            apart.append(meanDistance(result.joints3d, converged.joints3d))
        }
        print(String(format: "photos: data cost %.4f vs %.4f converged; joint error %.2f vs %.2f mm; %.2f iterations; joints %.3f mm from the converged fit",
                     mean(costs), mean(best), 1000 * mean(errors), 1000 * mean(bestErrors), mean(iterations), 1000 * mean(apart)))
        XCTAssertLessThan(mean(costs), 1.01 * mean(best))
        XCTAssertLessThan(mean(errors), mean(bestErrors) + 0.0002)
        XCTAssertLessThan(mean(apart), 0.0005)
        XCTAssertLessThan(mean(iterations), 5)
    }

    /// Cold starts of hands far from the mean size, whose world landmarks say so: the size taken from
    /// them in closed form before the refinement (the regressor's shape is clamped to ±2) leaves the
    /// solve a few steps, and it ends where an unlimited solve ends.
    func testColdStartsOfSmallAndLargeHands() throws {
        let (regressor, settings, thorough, sampler, synth) = try photoSetup()
        var rng = SeededRandom(seed: 11)
        var result = HandFitResult(), converged = HandFitResult()
        for size in [-4.0, 4.0] {
            var iterations: [Double] = [], apart: [Double] = []
            for _ in 0..<20 {
                var shape = PoseSampler.sampleShape(&rng)
                shape[0] = size
                let hand = synth.synthesize(model: model, pose: sampler.sample(&rng), shape: shape, camera: camera,
                                             width: 720, height: 720, rng: &rng)
                HandFitter(model: model, regressor: regressor, settings: settings).fit(hand.evidence, time: 0, into: &result)
                HandFitter(model: model, regressor: regressor, settings: thorough).fit(hand.evidence, time: 0, into: &converged)
                iterations.append(Double(result.iterations))
                apart.append(meanDistance(result.joints3d, converged.joints3d))
            }
            print(String(format: "photos of hands with shape[0] = %.0f: %.2f iterations; joints %.3f mm from the converged fit",
                         size, mean(iterations), 1000 * mean(apart)))
            XCTAssertLessThan(mean(apart), 0.0005, "shape[0] \(size)")
            XCTAssertLessThan(mean(iterations), 6, "shape[0] \(size)")
        }
    }

    /// The regressor, photo settings with their unlimited twin, and synthetic photos at 0.3 to 0.7 m.
    func photoSetup() throws -> (HandRegressor, FitSettings, FitSettings, PoseSampler, EvidenceSynthesizer) {
        var settings = FitSettings(camera: camera)
        settings.filter = nil
        settings.fitStillImages()
        var thorough = settings
        thorough.coldOptions = Self.unlimited
        var synth = EvidenceSynthesizer()
        synth.distance = 0.3...0.7
        return (try HandRegressor.bundled(), settings, thorough, PoseSampler(model: model), synth)
    }

    func meanDistance(_ a: [SIMD3<Double>], _ b: [SIMD3<Double>]) -> Double {
        zip(a, b).map { (($0 - $1) * ($0 - $1)).sum().squareRoot() }.reduce(0, +) / Double(a.count)
    }

    func fitSequence(_ settings: FitSettings) -> (costs: [Double], errors: [Double]) {
        var rng = SeededRandom(seed: 41)
        let sampler = PoseSampler(model: model)
        let shape = PoseSampler.sampleShape(&rng, sigma: 0.8)
        let a = sampler.pose(PoseSampler.articulations["relaxed"]!, jitter: 0, rng: &rng)
        let b = sampler.pose(PoseSampler.articulations["grasp"]!, jitter: 0, rng: &rng)
        let fitter = HandFitter(model: model, regressor: nil, settings: settings)
        var result = HandFitResult()
        let synth = EvidenceSynthesizer()
        var costs: [Double] = [], errors: [Double] = []
        for f in 0..<90 {
            let t = Double(f) / 89
            let pose = zip(a, b).map { (1 - t) * $0 + t * $1 }
            let p = HandParameters(globalOrient: SIMD3(2.2, 0.6 * t, 0.2), pose: pose, shape: shape, transl: SIMD3(0.04 * t, 0.01, 0.45))
            let joints = synth.keypoints(model, p)
            fitter.fit(synth.evidence(for: joints, camera: camera, rng: &rng), time: Double(f) / 30, into: &result)
            if f > 0 {
                costs.append(result.dataCostPerKeypoint)
                errors.append(Procrustes.alignedMeanDistance(result.joints3d, joints))
            }
        }
        return (costs, errors)
    }

    func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(max(v.count, 1)) }
}
