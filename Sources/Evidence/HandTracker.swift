import Crop
import Neural
import Video

/// Hands across frames: MediaPipe's legacy hand tracking graph
/// (mediapipe/modules/hand_landmark/hand_landmark_tracking_cpu.pbtxt) without the graph machinery.
///
/// Per frame:
/// 1. Palm detection runs only while fewer than `maxHands` hands are tracked (the graph's
///    `NormalizedRectVectorHasMinSizeCalculator` gate), or on every frame in `staticImageMode`.
///    Unlike the graph, while some but not all hands are tracked it runs on one frame in
///    `detectionInterval` only: at max_hands 2 with one hand in view, the graph spends more time
///    looking for a second hand (fp32 palm network, about 9 ms) than following the first. A hand
///    entering then is found at most `detectionInterval - 1` frames after MediaPipe finds it; with
///    no hand tracked the detector still runs on every frame, so a first hand is found as MediaPipe
///    finds it.
/// 2. Palm ROIs (at most `maxHands`) and the ROIs carried over from the previous frame's landmarks
///    are merged by `ROIAssociation`, so a hand already tracked is not added twice.
/// 3. The landmark model runs on each ROI. A hand whose presence is not above `minPresence` is
///    dropped (its track ends; the detector will find it again); the others become evidence and
///    give the next frame's ROIs (`LandmarksToROI`).
///
/// Track numbers are this tracker's own (MediaPipe's graph has none): stable while a hand stays
/// tracked, new when a hand is detected afresh. Buffers are kept between frames: once warmed up,
/// `process(_:into:)` allocates nothing. Not thread-safe: one tracker per stream.
public final class HandTracker {
    public struct Options: Sendable, Equatable {
        /// max_num_hands of the legacy solution (default 2).
        public var maxHands: Int = 2
        /// Whether the source is mirrored (a selfie camera), which MediaPipe's handedness label assumes;
        /// false (the camera's own view) swaps its labels.
        public var mirrored: Bool = false
        /// min_detection_confidence: palm score threshold (0.5, palm_detection_cpu.pbtxt).
        public var minDetectionScore: Float = 0.5
        /// min_tracking_confidence: the hand-presence threshold of hand_landmark_cpu.pbtxt's
        /// ThresholdingCalculator (0.5).
        public var minPresence: Float = 0.5
        /// Detect on every frame and never carry ROIs over (MediaPipe's static_image_mode).
        public var staticImageMode: Bool = false
        /// Workers per model inference.
        public var threads: Int = 1
        /// While at least one but fewer than `maxHands` hands are tracked, the detector runs on one
        /// frame in this many (1: every frame, as MediaPipe's graph). 2 bounds a hand's entry at
        /// 2 frames (the frame it appears in and the next) and halves the search's cost.
        public var detectionInterval: Int = 2
        /// On a frame where hands are both tracked and sought, run the palm detector on a thread of
        /// its own beside the tracked hands' landmark network (`PalmSearchThread`); the result is
        /// the same as running them in turn. Off by default: in the pipeline the fitting stage
        /// already keeps the other core busy, and on the shared 2-core machine the extra thread cost
        /// more CPU (17.5 against 15.6 ms a frame) and more wall time (`handmesh bench evidence`,
        /// modes two-beside and two-every-frame).
        public var concurrentDetection: Bool = false

        public init(maxHands: Int = 2, mirrored: Bool = false, staticImageMode: Bool = false, threads: Int = 1,
                    detectionInterval: Int = 2, concurrentDetection: Bool = false) {
            self.maxHands = maxHands
            self.mirrored = mirrored
            self.staticImageMode = staticImageMode
            self.threads = threads
            self.detectionInterval = detectionInterval
            self.concurrentDetection = concurrentDetection
        }
    }

    public let options: Options
    private let palms: PalmDetector
    private let landmarks: LandmarkRunner
    private let search: PalmSearchThread?
    /// The landmark network's answers for `previous`, one each, when computed beside a palm search.
    private var trackedOutputs: [LandmarkRunner.Output] = []
    private var palmROIs: [HandROI] = []
    private var palmTracked: [TrackedROI] = []
    private var previous: [TrackedROI] = []
    private var next: [TrackedROI] = []
    private var candidates: [TrackedROI] = []
    private var nextTrack = 0
    /// Frames since the detector last ran, for `Options.detectionInterval`.
    private var framesSinceDetection = 0
    /// The size of the last frame: carried-over ROIs are in its pixels.
    private var lastSize = (width: 0, height: 0)
    /// Whether the palm detector ran on the last processed frame.
    public private(set) var lastDetectorRan = false
    /// The arithmetic the landmark network runs in (`TFLiteModel.precision`).
    public let landmarkPrecision: Precision

    /// Uses the "full" models (MediaPipe's model_complexity 1). `precision` is the landmark
    /// network's, which runs on every frame; the palm network, which runs only while a hand is
    /// sought and whose boxes seed every track, stays fp32.
    public convenience init(models: ModelStore, maxHands: Int = 2, mirrored: Bool = false,
                            staticImageMode: Bool = false, threads: Int = 1, precision: Precision = .float32) throws {
        try self.init(palmModel: TFLiteModel(contentsOf: models.url(for: .palmDetectionFull)),
                      landmarkModel: TFLiteModel(contentsOf: models.url(for: .handLandmarkFull), precision: precision),
                      options: Options(maxHands: maxHands, mirrored: mirrored,
                                       staticImageMode: staticImageMode, threads: threads))
    }

    public init(palmModel: TFLiteModel, landmarkModel: TFLiteModel, options: Options = Options()) throws {
        guard options.maxHands >= 1 else {
            throw ModelError(file: landmarkModel.name, problem: "HandTracker needs maxHands >= 1, got \(options.maxHands)")
        }
        guard options.detectionInterval >= 1 else {
            throw ModelError(file: landmarkModel.name, problem: "HandTracker needs detectionInterval >= 1, got \(options.detectionInterval)")
        }
        self.options = options
        landmarkPrecision = landmarkModel.precision
        palms = try PalmDetector(model: palmModel, threads: options.threads, minScore: options.minDetectionScore)
        landmarks = try LandmarkRunner(model: landmarkModel, threads: options.threads)
        search = options.concurrentDetection && !options.staticImageMode
            ? PalmSearchThread(detector: palms, maxCount: options.maxHands) : nil
        trackedOutputs.reserveCapacity(2 * options.maxHands + 1)
        for buffer in [\HandTracker.palmTracked, \.previous, \.next, \.candidates] {
            self[keyPath: buffer].reserveCapacity(2 * options.maxHands + 1)
        }
        palmROIs.reserveCapacity(options.maxHands)
    }

    /// Forgets all tracks (a new clip).
    public func reset() {
        previous.removeAll(keepingCapacity: true)
        lastDetectorRan = false
        framesSinceDetection = 0
    }

    /// The hands in `frame`. Allocates the returned array; see `process(_:into:)` for the
    /// allocation-free form.
    public func process(_ frame: Frame) -> [HandEvidence] {
        var hands: [HandEvidence] = []
        process(frame, into: &hands)
        return hands
    }

    /// Replaces the contents of `hands` with the hands in `frame`.
    public func process(_ frame: Frame, into hands: inout [HandEvidence]) {
        frame.pixels.withUnsafeBytes { bytes in
            let image = RGBImageView(base: bytes.baseAddress!, width: frame.pixels.width,
                                     height: frame.pixels.height, rowBytes: frame.pixels.rowBytes)
            process(image, into: &hands)
        }
    }

    /// Replaces the contents of `hands` with the hands in `image`.
    public func process(_ image: RGBImageView, into hands: inout [HandEvidence]) {
        hands.removeAll(keepingCapacity: true)
        if (image.width, image.height) != lastSize {
            // A new stream size (a reconnect, a new SPS): last frame's ROIs mean nothing here.
            previous.removeAll(keepingCapacity: true)
            lastSize = (image.width, image.height)
        }
        let tracked = options.staticImageMode ? 0 : previous.count
        framesSinceDetection += 1
        lastDetectorRan = tracked < options.maxHands
            && (tracked == 0 || framesSinceDetection >= options.detectionInterval)
        if lastDetectorRan { framesSinceDetection = 0 }
        palmTracked.removeAll(keepingCapacity: true)
        trackedOutputs.removeAll(keepingCapacity: true)
        // The networks' worker threads (`threads` > 1) take the second core only while no palm
        // search runs on it: three busy threads on two cores left both networks slower (README,
        // "The neural engine against LiteRT").
        let searchBeside = lastDetectorRan && search != nil && !previous.isEmpty
        landmarks.usesWorkers = !searchBeside
        palms.usesWorkers = !searchBeside
        if lastDetectorRan, let search, !previous.isEmpty {
            search.start(image, maxCount: options.maxHands)
            for old in previous { trackedOutputs.append(landmarks.run(image, roi: old.roi)) }
            search.finish(into: &palmROIs)
        } else if lastDetectorRan {
            palms.detect(image, maxCount: options.maxHands, into: &palmROIs)
        }
        if lastDetectorRan {
            for roi in palmROIs { palmTracked.append(TrackedROI(roi: roi, track: nil, fromDetection: true)) }
        }
        if options.staticImageMode {
            // No ROIs carried over, but numbers still follow a hand that stays put: MediaPipe's
            // PropagateIdsFromPreviousToCurrent (association_calculator.h).
            candidates.removeAll(keepingCapacity: true)
            for var palm in palmTracked {
                for old in previous where palm.roi.axisAlignedIoU(old.roi) > ROIAssociation.minSimilarity {
                    palm.track = old.track
                }
                candidates.append(palm)
            }
        } else {
            ROIAssociation.associate(palms: palmTracked, tracked: previous, into: &candidates)
        }

        next.removeAll(keepingCapacity: true)
        for candidate in candidates {
            let out = trackedOutput(for: candidate) ?? landmarks.run(image, roi: candidate.roi)
            // The hand is present when the score exceeds the threshold, strictly
            // (mediapipe/calculators/util/thresholding_calculator.cc).
            guard out.presence > options.minPresence else { continue }
            let track = candidate.track ?? newTrack()
            var frameLandmarks = [21 of SIMD2<Float>](repeating: .zero)
            var world = [21 of SIMD3<Float>](repeating: .zero)
            let size = Float(LandmarkRunner.inputSize)
            for i in 0..<21 {
                let p = out.cropLandmarks[i]
                frameLandmarks[i] = LandmarkProjection.toFrame(SIMD2(p.x, p.y), roi: candidate.roi, cropSize: size)
                world[i] = LandmarkProjection.worldToCamera(out.worldLandmarks[i], rotation: candidate.roi.rotation)
            }
            let (hand, score) = Handedness.classify(leftProbability: out.leftProbability, mirrored: options.mirrored)
            if let other = hands.firstIndex(where: { Self.sameHand($0.landmarks, frameLandmarks) }) {
                // Two ROIs converged on one hand (a palm box beside a tracked one that association
                // kept apart): one physical hand is one track, the older.
                guard track < hands[other].track else { continue }
                let dropped = hands[other].track
                hands.remove(at: other)
                next.removeAll { $0.track == dropped }
            }
            hands.append(HandEvidence(track: track, handedness: hand, handednessScore: score,
                                      presence: out.presence, landmarks: frameLandmarks,
                                      cropLandmarks: out.cropLandmarks, worldLandmarks: world,
                                      roi: candidate.roi, fromDetection: candidate.fromDetection))
            let nextROI = LandmarksToROI.roi(from: frameLandmarks)
            // A degenerate answer (non-finite or empty) can't be cropped next frame: the track ends
            // there and the detector takes over.
            if nextROI.isUsable {
                next.append(TrackedROI(roi: nextROI, track: track, fromDetection: false))
            }
        }
        swap(&previous, &next)
    }

    /// Landmark boxes overlapping by more than this are one hand; MediaPipe's association of
    /// ROIs uses the same 0.5 (`ROIAssociation.minSimilarity`).
    static let duplicateIoU: Float = 0.5

    /// Whether two sets of landmarks outline the same hand: their bounding boxes overlap mostly.
    static func sameHand(_ a: [21 of SIMD2<Float>], _ b: [21 of SIMD2<Float>]) -> Bool {
        var loA = a[0], hiA = a[0], loB = b[0], hiB = b[0]
        for i in 1..<21 {
            loA = pointwiseMin(loA, a[i]); hiA = pointwiseMax(hiA, a[i])
            loB = pointwiseMin(loB, b[i]); hiB = pointwiseMax(hiB, b[i])
        }
        let overlap = pointwiseMax(pointwiseMin(hiA, hiB) - pointwiseMax(loA, loB), .zero)
        let intersection = overlap.x * overlap.y
        let sizeA = hiA - loA, sizeB = hiB - loB
        let union = sizeA.x * sizeA.y + sizeB.x * sizeB.y - intersection
        return union > 0 && intersection / union > duplicateIoU
    }

    /// The answer computed beside the palm search for a candidate carried over unchanged.
    private func trackedOutput(for candidate: TrackedROI) -> LandmarkRunner.Output? {
        guard !trackedOutputs.isEmpty, !candidate.fromDetection,
              let index = previous.firstIndex(where: { $0.track == candidate.track && $0.roi == candidate.roi })
        else { return nil }
        return trackedOutputs[index]
    }

    private func newTrack() -> Int {
        defer { nextTrack += 1 }
        return nextTrack
    }
}
