import COpenBLAS
import Foundation
import HandModel

/// Options of `handmesh train regressor`.
public struct RegressorTrainingOptions: Sendable, Equatable {
    public var steps = 6000
    public var batchSize = 256
    public var learningRate: Float = 1e-3
    /// The learning rate decays by cosine to this fraction of its start.
    public var finalLearningRateFraction: Float = 0.05
    public var seed: UInt64 = 20190616
    /// Loss weight of the shape coefficients relative to rotation and pose values: shape moves
    /// keypoints by millimetres per unit, and is refined per track anyway.
    public var shapeWeight: Float = 0.1
    public var validationSize = 1024
    public var logEvery = 250

    public init() {}

    /// A short run (for CI): proves the command works and the loss falls.
    public static var quick: RegressorTrainingOptions {
        var o = RegressorTrainingOptions()
        o.steps = 150
        o.batchSize = 64
        o.validationSize = 256
        o.logEvery = 50
        return o
    }
}

public struct RegressorTrainingReport: Sendable, Equatable {
    /// Validation loss (mean over samples of the weighted squared error after the last pass)
    /// before training, and after.
    public var initialValidationLoss: Double
    public var finalValidationLoss: Double
    /// Mean absolute pose error (radians) and root-rotation error (degrees) on validation.
    public var poseError: Double
    public var rotationErrorDegrees: Double
    public var seconds: Double
}

/// Synthetic training pairs: hands sampled from the model (natural articulations and blends,
/// varied shapes, uniformly random viewpoints, distances and positions, cameras with varied
/// fields of view), their evidence synthesized with noise, dropout and mirrored (left) copies.
public struct RegressorSampleGenerator {
    public let model: HandModel
    let sampler: PoseSampler
    /// Keypoints at the model's own proportions, not the landmark network's
    /// (`EvidenceSynthesizer.landmarkProportions`). Trained on the network's, the regressor was
    /// better on synthetic hands of those proportions (`handmesh bench fit`, regressor alone: 3.99
    /// against 5.90 mm) and worse on real ones: the stereo clip's held-out frames 252–377
    /// (`handmesh eval stereo`, two-pass, views 0 / 1) read 8.99 / 12.30 mm model-only and 8.64 /
    /// 11.54 self-augmented, against 8.72 / 10.48 and 8.69 / 10.25 trained as here. The real world
    /// landmarks match neither proportions (`FitWeights.worldJointWeights`).
    public var synthesizer: EvidenceSynthesizer = {
        var s = EvidenceSynthesizer()
        s.landmarkProportions = false
        return s
    }()
    var keypointFunction: HandModelKeypoints
    /// Confident fits of real footage to draw `augmentation.realShare` of the samples around.
    public var fits: [FittedFrame]
    public var augmentation: SelfAugmentation

    public init(model: HandModel, fits: [FittedFrame] = [], augmentation: SelfAugmentation = SelfAugmentation()) {
        self.model = model
        sampler = PoseSampler(model: model)
        keypointFunction = HandModelKeypoints(model: model)
        self.fits = fits
        self.augmentation = augmentation
    }

    /// Writes one sample's evidence features into `features` and its target estimate into
    /// `target`.
    public mutating func sample(_ rng: inout SeededRandom, features: UnsafeMutableBufferPointer<Float>,
                                target: UnsafeMutableBufferPointer<Float>) {
        // Without fits no draw is made here, so model-only training keeps its exact sample stream.
        let real = !fits.isEmpty && rng.uniform() < augmentation.realShare
        let pose: [Double], shape: [Double], rotation: Mat3?
        var frame: FittedFrame?
        if real {
            let fit = fits[min(fits.count - 1, Int(rng.uniform() * Double(fits.count)))]
            (pose, shape, rotation) = augmentation.sample(around: fit, limits: sampler.limits, rng: &rng)
            frame = fit
        } else {
            pose = sampler.sample(&rng)
            shape = PoseSampler.sampleShape(&rng)
            rotation = nil
        }
        let width = 720, height = rng.uniform() < 0.5 ? 720 : 480
        let fov = rng.uniform(45, 80)
        let camera = PinholeCamera.defaultCamera(width: width, height: height, fieldOfViewDegrees: fov)
        var hand = synthesizer.synthesize(model: model, pose: pose, shape: shape, camera: camera,
                                          width: width, height: height, rotation: rotation, rng: &rng)
        if rng.uniform() < 0.5 {
            // A left hand: the mirror image (x -> -x in the camera frame) of the right one.
            let joints = hand.joints.map { SIMD3(-$0.x, $0.y, $0.z) }
            hand.evidence = synthesizer.evidence(for: joints, camera: camera, isLeft: true, rng: &rng)
        }
        if let frame, let rotation, augmentation.recordedWorld, !frame.world.isEmpty {
            // The frame's own world landmarks, turned as the hand was turned from its fit.
            let turn = rotation * AxisAngle.matrix(frame.globalOrient).transposed
            let m: Double = hand.evidence.isLeft ? -1 : 1
            hand.evidence.world = frame.world.map { w in let q = turn * w; return SIMD3(m * q.x, q.y, q.z) }
            hand.evidence.hasWorld = true
        }
        HandRegressor.writeFeatures(hand.evidence, into: features)
        HandRegressor.writeEstimate(orient: hand.parameters.globalOrient, pose: pose, shape: shape, mirrored: false,
                                    into: target)
    }
}

/// Trains the iterative regressor on synthetic samples with Adam, minibatches through sgemm.
/// Each of the three passes is supervised toward the truth; the estimate fed to the next pass is
/// the previous pass's output, treated as a constant (as iterative error feedback is trained).
public enum RegressorTraining {
    public static func train(model: HandModel, options o: RegressorTrainingOptions, fits: [FittedFrame] = [],
                             augmentation: SelfAugmentation = SelfAugmentation(),
                             log: (String) -> Void = { _ in }) -> (HandRegressor, RegressorTrainingReport) {
        let begin = Date()
        // One BLAS thread: the same seed then gives the same weights bit for bit.
        openblas_set_num_threads(1)
        var regressor = HandRegressor(meanPose: model.meanPose, seed: o.seed)
        var generator = RegressorSampleGenerator(model: model, fits: fits, augmentation: augmentation)
        let nIn = HandRegressor.inputCount, nEv = HandRegressor.evidenceFeatures, nOut = HandRegressor.estimateCount
        var weights = [Float](repeating: 1, count: nOut)
        for i in 51..<61 { weights[i] = o.shapeWeight }

        // A fixed validation set from its own seed.
        var vrng = SeededRandom(seed: o.seed ^ 0x5EED)
        var vFeatures = [Float](repeating: 0, count: o.validationSize * nEv)
        var vTargets = [Float](repeating: 0, count: o.validationSize * nOut)
        for s in 0..<o.validationSize {
            vFeatures.withUnsafeMutableBufferPointer { f in
                vTargets.withUnsafeMutableBufferPointer { t in
                    generator.sample(&vrng, features: UnsafeMutableBufferPointer(rebasing: f[(s * nEv)..<((s + 1) * nEv)]),
                                     target: UnsafeMutableBufferPointer(rebasing: t[(s * nOut)..<((s + 1) * nOut)]))
                }
            }
        }
        func validate(_ r: HandRegressor) -> (loss: Double, pose: Double, rotation: Double) {
            var ws = HandRegressor.Workspace(r)
            var input = [Float](repeating: 0, count: nIn), out = [Float](repeating: 0, count: nOut)
            var loss = 0.0, pose = 0.0, rot = 0.0
            for s in 0..<o.validationSize {
                for i in 0..<nEv { input[i] = vFeatures[s * nEv + i] }
                for i in 0..<nOut { input[nEv + i] = r.start[i] }
                for _ in 0..<HandRegressor.passes {
                    input.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { r.network.forward(x, into: $0, workspace: &ws.net) } }
                    for i in 0..<nOut { input[nEv + i] += out[i] }
                }
                for i in 0..<nOut {
                    let d = Double(input[nEv + i] - vTargets[s * nOut + i])
                    loss += Double(weights[i]) * d * d
                    if i >= 6 && i < 51 { pose += abs(d) }
                }
                let e = { (k: Int) in SIMD3(Double(input[nEv + k]), Double(input[nEv + k + 1]), Double(input[nEv + k + 2])) }
                let t = { (k: Int) in SIMD3(Double(vTargets[s * nOut + k]), Double(vTargets[s * nOut + k + 1]), Double(vTargets[s * nOut + k + 2])) }
                let re = AxisAngle.fromSixD(e(0), e(3)), rt = AxisAngle.fromSixD(t(0), t(3))
                let rel = AxisAngle.vector(rt.transposed * re)
                rot += (rel * rel).sum().squareRoot() * 180 / .pi
            }
            let n = Double(o.validationSize)
            return (loss / n, pose / (n * 45), rot / n)
        }

        let initial = validate(regressor)
        log("validation before training: loss \(fmt(initial.loss)), pose \(fmt(initial.pose)) rad, rotation \(fmt(initial.rotation))°")
        var trainer = MultilayerPerceptronTrainer(network: regressor.network, batchSize: o.batchSize, learningRate: o.learningRate)
        var rng = SeededRandom(seed: o.seed)
        let b = o.batchSize
        var targets = [Float](repeating: 0, count: b * nOut)
        var gradient = [Float](repeating: 0, count: b * nOut)
        var running = 0.0
        for step in 0..<o.steps {
            trainer.learningRate = MultilayerPerceptronTrainer.cosineLearningRate(
                o.learningRate, finalFraction: o.finalLearningRateFraction, step: step, of: o.steps)
            trainer.withInput { input in
                targets.withUnsafeMutableBufferPointer { t in
                    for s in 0..<b {
                        generator.sample(&rng, features: UnsafeMutableBufferPointer(rebasing: input[(s * nIn)..<(s * nIn + nEv)]),
                                         target: UnsafeMutableBufferPointer(rebasing: t[(s * nOut)..<((s + 1) * nOut)]))
                        for i in 0..<nOut { input[s * nIn + nEv + i] = regressor.start[i] }
                    }
                }
            }
            trainer.zeroGradients()
            var batchLoss = 0.0
            for _ in 0..<HandRegressor.passes {
                trainer.forward(regressor.network)
                // d/d(offset) of the mean weighted squared error of (estimate + offset - target).
                let scale = 2 / Float(b * HandRegressor.passes)
                trainer.withOutput { out in
                    trainer.withInputReadOnly { input in
                        for s in 0..<b {
                            for i in 0..<nOut {
                                let d = input[s * nIn + nEv + i] + out[s * nOut + i] - targets[s * nOut + i]
                                gradient[s * nOut + i] = scale * weights[i] * d
                                batchLoss += Double(weights[i] * d * d)
                            }
                        }
                    }
                }
                gradient.withUnsafeBufferPointer { trainer.backward(regressor.network, outputGradient: $0) }
                let outputs = trainer.withOutput { Array($0) }
                trainer.withInput { input in
                    for s in 0..<b { for i in 0..<nOut { input[s * nIn + nEv + i] += outputs[s * nOut + i] } }
                }
            }
            trainer.adamStep(&regressor.network)
            let lossNow = batchLoss / Double(b * HandRegressor.passes)
            running = step == 0 ? lossNow : 0.98 * running + 0.02 * lossNow
            if (step + 1) % o.logEvery == 0 || step + 1 == o.steps {
                log("step \(step + 1)/\(o.steps): training loss \(fmt(running)), learning rate \(String(format: "%.2e", trainer.learningRate))")
            }
        }
        let final = validate(regressor)
        log("validation after training: loss \(fmt(final.loss)), pose \(fmt(final.pose)) rad, rotation \(fmt(final.rotation))°")
        return (regressor, RegressorTrainingReport(initialValidationLoss: initial.loss, finalValidationLoss: final.loss,
                                                   poseError: final.pose, rotationErrorDegrees: final.rotation,
                                                   seconds: Date().timeIntervalSince(begin)))
    }

    static func fmt(_ x: Double) -> String { String(format: "%.4f", x) }
}
