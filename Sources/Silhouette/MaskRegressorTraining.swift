import COpenBLAS
import Dispatch
import Fitting
import Foundation
import HandModel

/// Options of `handmesh train mask-regressor`.
public struct MaskRegressorTrainingOptions: Sendable, Equatable {
    public var steps = 5000
    public var batchSize = 256
    public var learningRate: Float = 1e-3
    /// The learning rate decays by cosine to this fraction of its start.
    public var finalLearningRateFraction: Float = 0.03
    public var seed: UInt64 = 20220715
    public var validationSize = 512
    public var logEvery = 250
    /// Threads rendering samples. Each sample draws from its own generator seeded by its index,
    /// so the data, and the weights, do not depend on this.
    public var workers = 2
    /// `MaskSampleGenerator.cropShare`: the share of samples drawn as a hand dataset's 224 px crops.
    public var cropShare = 0.0

    public init() {}

    /// A short run (for CI): proves the command works and the loss falls.
    public static var quick: MaskRegressorTrainingOptions {
        var o = MaskRegressorTrainingOptions()
        o.steps = 150
        o.batchSize = 64
        o.validationSize = 128
        o.logEvery = 50
        return o
    }
}

/// Validation figures of a mask regressor.
public struct MaskRegressorValidation: Sendable, Equatable {
    /// Mean squared error per output value.
    public var loss: Double
    /// Mean 2D keypoint error in the region, as a fraction of half its side (multiply by half the
    /// region's side for pixels).
    public var keypointError: Double
    /// Mean 3D keypoint error relative to the centroid, millimetres, and after Procrustes alignment.
    public var mpjpeMillimetres: Double
    public var paMpjpeMillimetres: Double
}

public struct MaskRegressorTrainingReport: Sendable, Equatable {
    public var initial: MaskRegressorValidation
    public var final: MaskRegressorValidation
    public var seconds: Double
}

/// Trains the mask regressor on rendered silhouettes (`MaskSampleGenerator`) with Adam,
/// minibatches through sgemm, a squared-error loss on the keypoints (2D in the region, 3D in
/// decimetres: both about unit range, weighted alike).
public enum MaskRegressorTraining {
    /// The seed of sample `index` of a stream: each sample has its own generator, so that the
    /// samples are the same however they are spread over threads.
    @inline(__always)
    static func sampleSeed(_ base: UInt64, _ index: Int) -> UInt64 { base ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15) }

    /// Fills `count` samples (feature rows of `stride`, targets of `outputCount`) of the stream
    /// `base` from `firstIndex`, spread over the generators.
    static func generate(count: Int, firstIndex: Int, base: UInt64, generators: UnsafeMutableBufferPointer<MaskSampleGenerator>,
                         features: UnsafeMutableBufferPointer<Float>, stride: Int, targets: UnsafeMutableBufferPointer<Float>) {
        let nOut = MaskRegressor.outputCount, nIn = MaskFeatures.count
        let workers = generators.count
        // Worker w uses generator w alone and writes rows s ≡ w (mod workers) alone: no two
        // threads touch the same memory, which is what makes sharing the pointers safe.
        nonisolated(unsafe) let generators = generators, features = features, targets = targets
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var s = w
            while s < count {
                var rng = SeededRandom(seed: sampleSeed(base, firstIndex + s))
                generators[w].sample(&rng, features: UnsafeMutableBufferPointer(rebasing: features[(s * stride)..<(s * stride + nIn)]),
                                     target: UnsafeMutableBufferPointer(rebasing: targets[(s * nOut)..<((s + 1) * nOut)]))
                s += workers
            }
        }
    }

    /// Validation figures of `r` on `count` samples (features, targets as `generate` writes them).
    public static func validate(_ r: MaskRegressor, features: [Float], targets: [Float], count: Int) -> MaskRegressorValidation {
        let nIn = MaskFeatures.count, nOut = MaskRegressor.outputCount
        var ws = MultilayerPerceptron.Workspace(for: r.network)
        var out = [Float](repeating: 0, count: nOut)
        var predicted = [SIMD3<Double>](repeating: .zero, count: 21), truth = predicted
        var loss = 0.0, keypoint = 0.0, mpjpe = 0.0, pa = 0.0
        for s in 0..<count {
            features.withUnsafeBufferPointer { f in
                out.withUnsafeMutableBufferPointer { r.network.forward(UnsafeBufferPointer(rebasing: f[(s * nIn)..<((s + 1) * nIn)]), into: $0, workspace: &ws) }
            }
            let t = s * nOut
            for i in 0..<nOut { let d = Double(out[i] - targets[t + i]); loss += d * d }
            for j in 0..<21 {
                let d = SIMD2(Double(out[2 * j] - targets[t + 2 * j]), Double(out[2 * j + 1] - targets[t + 2 * j + 1]))
                keypoint += (d * d).sum().squareRoot()
                // Decimetres to millimetres.
                predicted[j] = SIMD3(Double(out[42 + 3 * j]), Double(out[43 + 3 * j]), Double(out[44 + 3 * j])) * 100
                truth[j] = SIMD3(Double(targets[t + 42 + 3 * j]), Double(targets[t + 43 + 3 * j]), Double(targets[t + 44 + 3 * j])) * 100
                let e = predicted[j] - truth[j]
                mpjpe += (e * e).sum().squareRoot()
            }
            pa += Procrustes.alignedMeanDistance(predicted, truth)
        }
        let n = Double(max(count, 1))
        return MaskRegressorValidation(loss: loss / (n * Double(nOut)), keypointError: keypoint / (n * 21),
                                       mpjpeMillimetres: mpjpe / (n * 21), paMpjpeMillimetres: pa / n)
    }

    public static func train(model: HandModel, options o: MaskRegressorTrainingOptions, fits: [FittedFrame] = [],
                             augmentation: SelfAugmentation = SelfAugmentation(),
                             log: (String) -> Void = { _ in }) -> (MaskRegressor, MaskRegressorTrainingReport) {
        let begin = Date()
        // One BLAS thread: the same seed then gives the same weights bit for bit.
        openblas_set_num_threads(1)
        var regressor = MaskRegressor(seed: o.seed)
        var generators = (0..<max(o.workers, 1)).map { _ in
            var g = MaskSampleGenerator(model: model)
            g.cropShare = o.cropShare
            g.fits = fits
            g.selfAugmentation = augmentation
            return g
        }
        let nIn = MaskFeatures.count, nOut = MaskRegressor.outputCount

        // A fixed validation set from its own stream.
        let validationBase = o.seed ^ 0x5EED
        var vFeatures = [Float](repeating: 0, count: o.validationSize * nIn)
        var vTargets = [Float](repeating: 0, count: o.validationSize * nOut)
        generators.withUnsafeMutableBufferPointer { g in
            vFeatures.withUnsafeMutableBufferPointer { f in
                vTargets.withUnsafeMutableBufferPointer { t in
                    generate(count: o.validationSize, firstIndex: 0, base: validationBase, generators: g, features: f, stride: nIn, targets: t)
                }
            }
        }
        func describe(_ v: MaskRegressorValidation) -> String {
            String(format: "loss %.4f, 2D %.4f of half the region, MPJPE %.1f mm, PA-MPJPE %.1f mm",
                   v.loss, v.keypointError, v.mpjpeMillimetres, v.paMpjpeMillimetres)
        }
        let initial = validate(regressor, features: vFeatures, targets: vTargets, count: o.validationSize)
        log("validation before training: \(describe(initial))")

        var trainer = MultilayerPerceptronTrainer(network: regressor.network, batchSize: o.batchSize, learningRate: o.learningRate)
        let b = o.batchSize
        var targets = [Float](repeating: 0, count: b * nOut)
        var gradient = [Float](repeating: 0, count: b * nOut)
        var running = 0.0
        for step in 0..<o.steps {
            trainer.learningRate = MultilayerPerceptronTrainer.cosineLearningRate(
                o.learningRate, finalFraction: o.finalLearningRateFraction, step: step, of: o.steps)
            trainer.withInput { input in
                generators.withUnsafeMutableBufferPointer { g in
                    targets.withUnsafeMutableBufferPointer { t in
                        generate(count: b, firstIndex: step * b, base: o.seed, generators: g, features: input, stride: nIn, targets: t)
                    }
                }
            }
            trainer.zeroGradients()
            trainer.forward(regressor.network)
            // d/d(output) of the mean over the batch of the summed squared error.
            let scale = 2 / Float(b)
            var batchLoss = 0.0
            trainer.withOutput { out in
                for i in 0..<(b * nOut) {
                    let d = out[i] - targets[i]
                    gradient[i] = scale * d
                    batchLoss += Double(d * d)
                }
            }
            gradient.withUnsafeBufferPointer { trainer.backward(regressor.network, outputGradient: $0) }
            trainer.adamStep(&regressor.network)
            let lossNow = batchLoss / Double(b * nOut)
            running = step == 0 ? lossNow : 0.98 * running + 0.02 * lossNow
            if (step + 1) % o.logEvery == 0 || step + 1 == o.steps {
                log(String(format: "step %d/%d: training loss %.4f, learning rate %.2e, %.0f s",
                           step + 1, o.steps, running, trainer.learningRate, Date().timeIntervalSince(begin)))
            }
        }
        let final = validate(regressor, features: vFeatures, targets: vTargets, count: o.validationSize)
        log("validation after training: \(describe(final))")
        return (regressor, MaskRegressorTrainingReport(initial: initial, final: final, seconds: Date().timeIntervalSince(begin)))
    }
}
