import Crop
import Evidence
import Foundation
import Neural
import Records

/// Crop + evidence: palm detection when needed, the rotated hand crop and the landmark model, via
/// `HandTracker` (MediaPipe's legacy hand tracking graph). Reads the frame; appends one
/// `PipelineHand` per hand, its `HandEvidence` (track, label and its score, presence, landmarks in
/// frame pixels, world landmarks in metres on the camera's axes, ROI).
///
/// The tracker keeps the previous frame's hand ROIs, so the stage must see the stream's frames in
/// order, which FrameStage guarantees.
public struct EvidenceStage: FrameStage {
    public let name = "evidence"
    public var writes: Set<FramePart> { [.evidence] }
    /// The two networks, named by file, versioned by the MediaPipe wheel they come from.
    public let models: [ModelDescription]
    private let state: EvidenceState

    /// Loads the "full" palm and landmark networks (MediaPipe's model_complexity 1) from `store`.
    /// `mirrored`: whether frames are a selfie view, which decides only what the network's
    /// handedness label says (the fitting stage decides a track's side from its 3D shape).
    /// `threads`: workers per inference; 0 means 1, since the pipeline already runs stages in parallel.
    /// `precision`: the landmark network's (int8 falls back to fp32 on CPUs without VNNI); the palm
    /// network stays fp32 (see `HandTracker.init(models:…)`). `staticImageMode`: frames are independent
    /// photos, so the palm detector runs on every one instead of tracking from the previous frame.
    public init(models store: ModelStore, mirrored: Bool = false, maxHands: Int = 2, threads: Int = 1,
                precision: Precision = .int8, staticImageMode: Bool = false) throws {
        let palm: HandNetwork = .palmDetectionFull, landmark: HandNetwork = .handLandmarkFull
        for network in [palm, landmark] { try store.verify(network) }
        let tracker = try HandTracker(
            palmModel: TFLiteModel(contentsOf: store.url(for: palm)),
            landmarkModel: TFLiteModel(contentsOf: store.url(for: landmark), precision: precision),
            options: HandTracker.Options(maxHands: maxHands, mirrored: mirrored, staticImageMode: staticImageMode,
                                         threads: max(threads, 1),
                                         // The palm search beside the landmark network, on the other core: the
                                         // same hands bit for bit, and the real clip looped 4 times at max_hands 2
                                         // ran in 13.6 s against 15.9 s with the search in line (medians of 7
                                         // interleaved runs), at the same CPU time (README, "Both cores for one stream").
                                         concurrentDetection: !staticImageMode))
        // The header says which arithmetic ran, since int8 falls back to fp32 on CPUs without VNNI.
        self.init(tracker: tracker, models: [
            ModelDescription(name: palm.rawValue, version: HandNetwork.wheelRequirement + "; float32"),
            ModelDescription(name: landmark.rawValue, version: HandNetwork.wheelRequirement + "; " + tracker.landmarkPrecision.rawValue),
        ])
    }

    /// Wraps a tracker built elsewhere (tests, other model choices). The stage takes it over: no
    /// one else may use it afterwards.
    public init(tracker: HandTracker, models: [ModelDescription] = []) {
        state = EvidenceState(tracker: tracker)
        self.models = models
    }

    public mutating func process(_ work: inout FrameWork) {
        state.process(&work)
    }
}

/// The tracker and its reused output. A stage runs on its own serial queue and is used from that
/// queue only (FrameStage's contract), so this mutable state is never touched concurrently; the
/// tracker holds non-Sendable interpreters, hence the unchecked conformance, confined to this file.
private final class EvidenceState: @unchecked Sendable {
    let tracker: HandTracker
    var hands: [HandEvidence] = []

    init(tracker: HandTracker) {
        self.tracker = tracker
        hands.reserveCapacity(tracker.options.maxHands * 2)
    }

    func process(_ work: inout FrameWork) {
        tracker.process(work.frame, into: &hands)
        for hand in hands { work.hands.append(PipelineHand(evidence: hand)) }
    }
}
