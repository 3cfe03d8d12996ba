import COpenBLAS
import Fitting
import Foundation
import HandModel
import Render

/// What the silhouette term costs and buys (`handmesh bench silhouette`): the same synthetic
/// motions (`SyntheticMotion`) fitted from noisy keypoint evidence twice in the same run, by a
/// keypoint-only fitter and by one that also matches the true mask, rendered from the true hand.
public enum SilhouetteFitBenchmark {
    public struct Side: Sendable {
        /// Median ms and iterations of warm frames.
        public var warmMilliseconds: Double
        public var warmIterations: Double
        public var coldMilliseconds: Double
        /// Full-resolution mesh-to-mask IoU, mean over frames.
        public var maskIoU: Double
        /// Procrustes-aligned joint error, mm, mean over frames.
        public var paMPJPE: Double
        /// Reprojection of the fitted keypoints to the evidence, px, mean.
        public var reprojection: Double
    }

    public struct Report: Sendable {
        public var frames: Int
        public var keypointsOnly: Side
        public var withSilhouette: Side
        /// One render of the residuals (a cost), and one linearization (outline Jacobian and normal
        /// equations) after it, at a fitted hand: medians, ms.
        public var renderMilliseconds: Double
        public var linearizeMilliseconds: Double
    }

    public static func run(model: HandModel, regressor: HandRegressor?, width: Int, height: Int,
                           sequences: Int, frames: Int, seed: UInt64, gridSize: Int = 48, cellSigma: Double = 0.5,
                           synthesizer: EvidenceSynthesizer = EvidenceSynthesizer()) -> Report {
        openblas_set_num_threads(1)
        let camera = PinholeCamera.defaultCamera(width: width, height: height)
        let renderCamera = RenderCamera(camera)
        var settings = FitSettings(camera: camera)
        settings.filter = nil
        // The keypoints and the outline here are both the model's own, as a mask regressor's are.
        settings.landmarkProportions = false
        let plain = HandFitter(model: model, regressor: regressor, settings: settings)
        let masked = HandFitter(model: model, regressor: regressor, settings: settings)
        let term = SilhouetteFitTerm(model: model, camera: renderCamera, gridSize: gridSize, cellSigma: cellSigma)
        masked.extraTerm = term
        let workspace = HandModelWorkspace(model: model)
        var truth = MeshSilhouette(width: width, height: height)
        var fitted = MeshSilhouette(width: width, height: height)
        var mask = [UInt8](repeating: 0, count: width * height)
        var rng = SeededRandom(seed: seed)
        let sampler = PoseSampler(model: model)
        var result = HandFitResult()
        var samples = [[Double]](repeating: [], count: 12)  // warm ms, warm its, cold ms, IoU, PA, reprojection; ×2
        var count = 0
        for _ in 0..<sequences {
            let motion = SyntheticMotion(model: model, sampler: sampler, synthesizer: synthesizer, camera: camera,
                                         width: width, height: height, rng: &rng)
            for f in 0..<frames {
                let p = motion.parameters(at: Double(f) / Double(max(frames - 1, 1)))
                let joints = model.keypoints(p)
                let evidence = synthesizer.evidence(for: joints, camera: camera, rng: &rng)
                truth.draw(model: model, parameters: p, camera: renderCamera, workspace: workspace)
                truth.mask(into: &mask)
                mask.withUnsafeBufferPointer { m in
                    term.setTarget(mask: MaskView(m.baseAddress!, width: width, height: height), around: evidence.keypoints)
                }
                count += 1
                for (side, fitter) in [plain, masked].enumerated() {
                    fitter.fit(evidence, time: Double(f) / 30, continuesTrack: f > 0, into: &result)
                    let o = 6 * side
                    if f == 0 {
                        samples[o + 2].append(result.milliseconds)
                    } else if result.warm {
                        samples[o].append(result.milliseconds)
                        samples[o + 1].append(Double(result.iterations))
                    }
                    fitted.draw(model: model, parameters: result.parameters, camera: renderCamera, workspace: workspace)
                    samples[o + 3].append(mask.withUnsafeBufferPointer {
                        fitted.intersectionOverUnion(MaskView($0.baseAddress!, width: width, height: height))
                    })
                    samples[o + 4].append(Procrustes.alignedMeanDistance(result.joints3d, joints) * 1000)
                    samples[o + 5].append(result.reprojectionPixels)
                }
            }
        }
        // The term alone, at the last fitted hand: alternate two nearby parameter vectors so that
        // every call renders.
        var renders: [Double] = [], linearizations: [Double] = []
        var jtj = [Double](repeating: 0, count: 61 * 61), jtr = [Double](repeating: 0, count: 61)
        let a = result.parameters.vector
        var b = a
        b[58] += 1e-4
        for k in 0..<200 {
            let x = k % 2 == 0 ? a : b
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = x.withUnsafeBufferPointer { term.cost(at: $0) }
            let t1 = DispatchTime.now().uptimeNanoseconds
            _ = x.withUnsafeBufferPointer { xs in
                jtj.withUnsafeMutableBufferPointer { j in jtr.withUnsafeMutableBufferPointer { term.accumulate(at: xs, jtj: j, jtr: $0) } }
            }
            let t2 = DispatchTime.now().uptimeNanoseconds
            renders.append(Double(t1 - t0) / 1e6)
            linearizations.append(Double(t2 - t1) / 1e6)
        }
        func side(_ o: Int) -> Side {
            Side(warmMilliseconds: FitBenchmark.median(samples[o]), warmIterations: FitBenchmark.median(samples[o + 1]),
                 coldMilliseconds: FitBenchmark.median(samples[o + 2]), maskIoU: FitBenchmark.mean(samples[o + 3]),
                 paMPJPE: FitBenchmark.mean(samples[o + 4]),
                 reprojection: FitBenchmark.mean(samples[o + 5]))
        }
        return Report(frames: count, keypointsOnly: side(0), withSilhouette: side(6),
                      renderMilliseconds: FitBenchmark.median(renders), linearizeMilliseconds: FitBenchmark.median(linearizations))
    }
}
