import COpenBLAS
import Foundation
import HandModel

/// Recovery and speed on hands sampled from the model (`handmesh bench fit`).
public enum FitBenchmark {
    public struct Recovery: Sendable {
        public var hands: Int
        /// Procrustes-aligned mean joint error (PA-MPJPE), mm: mean and median over hands.
        public var paMPJPE: Double
        public var paMPJPEMedian: Double
        /// Procrustes-aligned mean vertex error, mm.
        public var vertexError: Double
        /// Mean reprojection error of the fitted keypoints to the evidence, px.
        public var reprojection: Double
        public var coldMilliseconds: Double
        public var coldIterations: Double
        /// The regressor alone (before refinement): PA-MPJPE, mm.
        public var regressorPAMPJPE: Double
    }

    public struct Speed: Sendable {
        public var regressionMilliseconds: Double
        public var warmMilliseconds: Double
        public var warmIterations: Double
        public var coldMilliseconds: Double
        public var coldIterations: Double
        /// Share of warm frames re-initialized cold because the data cost jumped.
        public var reinitializedShare: Double
        public var warmPAMPJPE: Double
    }

    public static func median(_ a: [Double]) -> Double {
        guard !a.isEmpty else { return .nan }
        let s = a.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }

    public static func mean(_ a: [Double]) -> Double { a.isEmpty ? .nan : a.reduce(0, +) / Double(a.count) }

    /// One BLAS thread (the figures are single-threaded) and no jitter filter (it would measure the
    /// filter's lag, not the fit).
    /// The fitter reads the evidence's proportions as `synthesizer` draws them.
    static func benchmarkFitter(model: HandModel, regressor: HandRegressor?, camera: PinholeCamera,
                                synthesizer: EvidenceSynthesizer) -> HandFitter {
        openblas_set_num_threads(1)
        var settings = FitSettings(camera: camera)
        settings.filter = nil
        settings.landmarkProportions = synthesizer.landmarkProportions
        return HandFitter(model: model, regressor: regressor, settings: settings)
    }

    /// Single frames: each hand sampled independently (natural articulations, shapes, uniformly
    /// random viewpoints at 0.25 to 1 m), evidence with `synthesizer`'s noise, fitted cold.
    public static func recovery(model: HandModel, regressor: HandRegressor?, camera: PinholeCamera,
                                width: Int, height: Int, hands: Int, seed: UInt64,
                                synthesizer: EvidenceSynthesizer = EvidenceSynthesizer()) -> Recovery {
        var rng = SeededRandom(seed: seed)
        let sampler = PoseSampler(model: model)
        let fitter = benchmarkFitter(model: model, regressor: regressor, camera: camera, synthesizer: synthesizer)
        var result = HandFitResult()
        var pa: [Double] = [], vertex: [Double] = [], ms: [Double] = [], its: [Double] = [], rep: [Double] = [], reg: [Double] = []
        var estimate = HandParameters()
        var ws = regressor.map { HandRegressor.Workspace($0) }
        for _ in 0..<hands {
            let hand = synthesizer.synthesize(model: model, pose: sampler.sample(&rng), shape: PoseSampler.sampleShape(&rng),
                                              camera: camera, width: width, height: height, rng: &rng)
            fitter.fit(hand.evidence, time: 0, continuesTrack: false, into: &result)
            pa.append(Procrustes.alignedMeanDistance(result.joints3d, hand.joints) * 1000)
            // Both meshes stretched as their keypoints are (the landmark proportions, the fit's factors).
            vertex.append(Procrustes.alignedMeanDistance(model.vertices(result.parameters, boneFactors: result.boneFactors),
                                                         synthesizer.vertices(model, hand.parameters)) * 1000)
            ms.append(result.milliseconds)
            its.append(Double(result.iterations))
            rep.append(result.reprojectionPixels)
            if let r = regressor {
                r.predict(hand.evidence, into: &estimate, workspace: &ws!)
                reg.append(Procrustes.alignedMeanDistance(synthesizer.keypoints(model, estimate), hand.joints) * 1000)
            }
        }
        return Recovery(hands: hands, paMPJPE: mean(pa), paMPJPEMedian: median(pa), vertexError: mean(vertex),
                        reprojection: mean(rep), coldMilliseconds: median(ms), coldIterations: median(its),
                        regressorPAMPJPE: mean(reg))
    }

    /// Smooth synthetic motion: `sequences` clips of `frames` frames at 30 fps, each blending
    /// between two sampled poses while the hand turns and moves; the first frame is cold, the
    /// rest warm. Also times the regressor alone.
    public static func speed(model: HandModel, regressor: HandRegressor?, camera: PinholeCamera,
                             width: Int, height: Int, sequences: Int, frames: Int, seed: UInt64,
                             synthesizer: EvidenceSynthesizer = EvidenceSynthesizer()) -> Speed {
        var rng = SeededRandom(seed: seed)
        let sampler = PoseSampler(model: model)
        let fitter = benchmarkFitter(model: model, regressor: regressor, camera: camera, synthesizer: synthesizer)
        var result = HandFitResult()
        var warmMs: [Double] = [], warmIts: [Double] = [], coldMs: [Double] = [], coldIts: [Double] = [], pa: [Double] = []
        var reinit = 0.0, warmFrames = 0.0
        var regMs: [Double] = []
        var estimate = HandParameters()
        var ws = regressor.map { HandRegressor.Workspace($0) }
        for _ in 0..<sequences {
            let motion = SyntheticMotion(model: model, sampler: sampler, synthesizer: synthesizer, camera: camera,
                                         width: width, height: height, rng: &rng)
            for f in 0..<frames {
                let p = motion.parameters(at: Double(f) / Double(max(frames - 1, 1)))
                let joints = synthesizer.keypoints(model, p)
                let evidence = synthesizer.evidence(for: joints, camera: camera, rng: &rng)
                fitter.fit(evidence, time: Double(f) / 30, continuesTrack: f > 0, into: &result)
                if f == 0 {
                    coldMs.append(result.milliseconds); coldIts.append(Double(result.iterations))
                } else {
                    warmFrames += 1
                    if result.warm {
                        warmMs.append(result.milliseconds); warmIts.append(Double(result.iterations))
                    } else {
                        reinit += 1
                    }
                    if f >= frames / 2 { pa.append(Procrustes.alignedMeanDistance(result.joints3d, joints) * 1000) }
                }
                if let r = regressor {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    r.predict(evidence, into: &estimate, workspace: &ws!)
                    regMs.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                }
            }
        }
        return Speed(regressionMilliseconds: median(regMs), warmMilliseconds: median(warmMs), warmIterations: median(warmIts),
                     coldMilliseconds: median(coldMs), coldIterations: median(coldIts),
                     reinitializedShare: warmFrames > 0 ? reinit / warmFrames : 0, warmPAMPJPE: mean(pa))
    }
}

/// A smooth synthetic hand motion: a sampled hand blends between two sampled poses while it turns
/// (up to about 60°) and moves (up to about 10 cm), eased in and out.
public struct SyntheticMotion: Sendable {
    public let start: SyntheticHand
    let from: [Double]
    let to: [Double]
    let turn: SIMD3<Double>
    let move: SIMD3<Double>

    public init(model: HandModel, sampler: PoseSampler, synthesizer: EvidenceSynthesizer, camera: PinholeCamera,
                width: Int, height: Int, rng: inout SeededRandom) {
        from = sampler.sample(&rng)
        to = sampler.sample(&rng)
        let shape = PoseSampler.sampleShape(&rng)
        start = synthesizer.synthesize(model: model, pose: from, shape: shape, camera: camera, width: width, height: height, rng: &rng)
        turn = SIMD3(rng.gaussian(), rng.gaussian(), rng.gaussian()) * 0.6
        move = SIMD3(rng.gaussian(), rng.gaussian(), 0.5 * rng.gaussian()) * 0.05
    }

    /// The hand at `t` in 0…1 of the motion.
    public func parameters(at t: Double) -> HandParameters {
        let s = 0.5 - 0.5 * cos(Double.pi * t)
        var p = start.parameters
        p.pose = zip(from, to).map { (1 - s) * $0 + s * $1 }
        p.globalOrient = AxisAngle.vector(AxisAngle.matrix(turn * s) * AxisAngle.matrix(start.parameters.globalOrient))
        p.transl = start.parameters.transl + move * s
        if p.transl.z < 0.2 { p.transl.z = 0.2 }
        return p
    }
}
