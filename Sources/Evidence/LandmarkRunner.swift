import Crop
import Neural

/// The landmark stage for one hand: frame + ROI in, the model's raw answer out. MediaPipe's
/// `HandLandmarkCpu` (mediapipe/modules/hand_landmark/hand_landmark_cpu.pbtxt) up to its
/// projection:
///
///   frame, ROI --AffineCrop 224x224, replicated border, [0, 1]--> tensor --landmark model-->
///   [63] landmarks (crop px, z), [1] presence, [1] P(left, selfie view), [63] world landmarks (m)
///
/// The input tensor is the interpreter's own buffer, written in place: no per-frame allocation.
/// Not thread-safe: one runner per pipeline thread.
public final class LandmarkRunner {
    /// output_tensor_width/height 224 (hand_landmark_cpu.pbtxt).
    public static let inputSize = 224

    /// The model's output for one crop.
    public struct Output: Sendable {
        public var presence: Float
        /// Probability that the crop shows a left hand under the selfie (mirrored) assumption.
        public var leftProbability: Float
        /// x, y in crop pixels, z in the same units.
        public var cropLandmarks: [21 of SIMD3<Float>]
        /// Metres, crop axes.
        public var worldLandmarks: [21 of SIMD3<Float>]
    }

    private let interpreter: Interpreter
    private let crop = AffineCrop(outputWidth: inputSize, outputHeight: inputSize, border: .replicate)

    /// Output order of MediaPipe's hand landmark models (hand_landmark_cpu.pbtxt's
    /// SplitTensorVectorCalculator): landmarks, hand flag, handedness, world landmarks.
    static let landmarksOutput = 0, presenceOutput = 1, handednessOutput = 2, worldOutput = 3

    /// Whether an inference may use the interpreter's worker threads (`Interpreter.usesWorkers`).
    public var usesWorkers: Bool {
        get { interpreter.usesWorkers }
        set { interpreter.usesWorkers = newValue }
    }

    public init(model: TFLiteModel, threads: Int = 1) throws {
        interpreter = try Interpreter(model: model, threads: threads)
        let size = Self.inputSize
        guard interpreter.inputCount == 1, interpreter.inputShape(0) == [1, size, size, 3],
              interpreter.outputCount == 4,
              interpreter.outputShape(Self.landmarksOutput) == [1, 63],
              interpreter.outputShape(Self.presenceOutput) == [1, 1],
              interpreter.outputShape(Self.handednessOutput) == [1, 1],
              interpreter.outputShape(Self.worldOutput) == [1, 63] else {
            throw ModelError(file: model.name, problem: "is not a hand landmark model: input \(interpreter.inputShape(0)), outputs \((0..<interpreter.outputCount).map(interpreter.outputShape)); want [1, 224, 224, 3] -> [1, 63], [1, 1], [1, 1], [1, 63]")
        }
    }

    /// Pieces of rows the crop is cut into for the threads: 224 = 8 x 28.
    static let cropParts = 8

    /// One crop's values for the threads (`Interpreter.split`).
    private struct CropJob {
        let crop: AffineCrop, image: RGBImageView, roi: HandROI, tensor: UnsafeMutableBufferPointer<Float>
    }

    /// Crops `roi` out of `image` and runs the model on it.
    public func run(_ image: RGBImageView, roi: HandROI) -> Output {
        interpreter.withInput(0) { tensor in
            // The crop is a tenth of a tracked frame's evidence: it shares the network's threads.
            interpreter.split(Self.cropParts, CropJob(crop: crop, image: image, roi: roi, tensor: tensor)) { job, part, _ in
                let job = job.assumingMemoryBound(to: CropJob.self).pointee
                let rows = LandmarkRunner.inputSize / LandmarkRunner.cropParts
                job.crop.sample(job.image, roi: job.roi, into: job.tensor, rows: part * rows..<(part + 1) * rows)
            }
        }
        interpreter.invoke()
        var out = Output(presence: 0, leftProbability: 0,
                         cropLandmarks: .init(repeating: .zero), worldLandmarks: .init(repeating: .zero))
        out.presence = interpreter.withOutput(Self.presenceOutput) { $0[0] }
        out.leftProbability = interpreter.withOutput(Self.handednessOutput) { $0[0] }
        interpreter.withOutput(Self.landmarksOutput) { v in
            for i in 0..<21 { out.cropLandmarks[i] = SIMD3(v[3 * i], v[3 * i + 1], v[3 * i + 2]) }
        }
        interpreter.withOutput(Self.worldOutput) { v in
            for i in 0..<21 { out.worldLandmarks[i] = SIMD3(v[3 * i], v[3 * i + 1], v[3 * i + 2]) }
        }
        return out
    }
}
