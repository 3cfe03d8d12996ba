import Neural

/// The palm stage: a whole frame in, hand ROIs out. MediaPipe's `PalmDetectionCpu` graph
/// (mediapipe/modules/palm_detection/palm_detection_cpu.pbtxt) followed by
/// `ClipDetectionVectorSizeCalculator` (at most `maxCount` palms, best first) and
/// palm_detection_detection_to_roi.pbtxt:
///
///   frame --letterbox 192x192, zero border--> tensor --palm model--> [2016 x 18] boxes, [2016] logits
///   --PalmDecoder--> scored boxes --WeightedNMS--> palms --Letterbox.removing--> frame-normalized palms
///   --PalmROI--> hand ROIs (frame pixels)
///
/// All buffers live in the instance; `detect` allocates nothing once warmed up. Not thread-safe:
/// one detector per pipeline thread.
public final class PalmDetector {
    /// The detector's input side (palm_detection_cpu.pbtxt: output_tensor_width/height 192).
    public static let inputSize = 192

    private let interpreter: Interpreter
    private var decoder: PalmDecoder
    private var nms = WeightedNMS(threshold: 0.3)
    private let crop = AffineCrop(outputWidth: inputSize, outputHeight: inputSize, border: .zero)
    private let boxesOutput: Int
    private let scoresOutput: Int
    private var candidates: [PalmDetection] = []
    private var merged: [PalmDetection] = []
    /// The palms found by the last `detect`, best first, normalized to the frame (letterbox removed).
    public private(set) var detections: [PalmDetection] = []

    /// - Parameters:
    ///   - minScore: the legacy solution's `min_detection_confidence` (0.5, as palm_detection_cpu.pbtxt).
    /// Whether a detection may use the interpreter's worker threads (`Interpreter.usesWorkers`).
    public var usesWorkers: Bool {
        get { interpreter.usesWorkers }
        set { interpreter.usesWorkers = newValue }
    }

    public init(model: TFLiteModel, threads: Int = 1, minScore: Float = 0.5) throws {
        interpreter = try Interpreter(model: model, threads: threads)
        let anchors = SSDAnchors.generate(.palmDetection)
        decoder = PalmDecoder(anchors: anchors, minScore: minScore)
        guard interpreter.inputCount == 1,
              interpreter.inputShape(0) == [1, Self.inputSize, Self.inputSize, 3] else {
            throw ModelError(file: model.name, problem: "is not a palm detector: input \(interpreter.inputShape(0)), want [1, 192, 192, 3]")
        }
        // Find the regressor and score outputs by shape rather than trusting their order.
        var boxes = -1, scores = -1
        for i in 0..<interpreter.outputCount {
            let shape = interpreter.outputShape(i)
            if shape == [1, anchors.count, PalmDecoder.coordsPerAnchor] { boxes = i }
            if shape == [1, anchors.count, 1] { scores = i }
        }
        guard boxes >= 0, scores >= 0 else {
            throw ModelError(file: model.name, problem: "is not a palm detector: outputs \((0..<interpreter.outputCount).map(interpreter.outputShape)), want [1, \(anchors.count), 18] and [1, \(anchors.count), 1]")
        }
        boxesOutput = boxes
        scoresOutput = scores
        candidates.reserveCapacity(anchors.count)
        merged.reserveCapacity(anchors.count)
        detections.reserveCapacity(anchors.count)
    }

    /// Runs the detector on `image` and writes up to `maxCount` hand ROIs into `rois`, best palm first.
    public func detect(_ image: RGBImageView, maxCount: Int, into rois: inout [HandROI]) {
        rois.removeAll(keepingCapacity: true)
        detections.removeAll(keepingCapacity: true)
        let letterbox = Letterbox(frameWidth: image.width, frameHeight: image.height,
                                  tensorWidth: Self.inputSize, tensorHeight: Self.inputSize)
        interpreter.withInput(0) { crop.sample(image, roi: letterbox.roi, into: $0) }
        interpreter.invoke()
        interpreter.withOutput(boxesOutput) { boxes in
            interpreter.withOutput(scoresOutput) { logits in
                decoder.decode(boxes: boxes, logits: logits, into: &candidates)
            }
        }
        nms.run(candidates, into: &merged)
        for palm in merged.prefix(maxCount) {
            let d = letterbox.removing(from: palm)
            let roi = PalmROI.roi(for: d, frameWidth: image.width, frameHeight: image.height)
            // A non-finite regressor output would give a ROI nothing can be cropped from.
            guard roi.isUsable else { continue }
            detections.append(d)
            rois.append(roi)
        }
    }
}
