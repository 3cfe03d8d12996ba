import Fitting
import Records
import Render
import Silhouette

/// Evidence from a silhouette (mask-only streams, Mask2Hand mode): the input frame is a mask
/// (white hand on black), the mask regressor turns the hand's blob into keypoint evidence, and the
/// frame itself becomes `work.mask`, so that the fitting stage's silhouette term refines the mesh
/// against it. Appends one hand with `track`, `handedness` (the stream's `mask_hand`), `score`
/// (1: a blob was found), `landmarks`, `world_landmarks` and `roi` (axis-aligned).
///
/// A hand that vanishes from the mask ends its track; the next one starts a new track, so the
/// fit starts cold.
public struct MaskEvidenceStage: FrameStage {
    public let name = "mask_evidence"
    public let models: [ModelDescription]
    private let state: MaskEvidenceState

    /// `regressor` nil loads the committed weights.
    public init(isLeft: Bool, regressor: MaskRegressor? = nil) throws {
        let r = try regressor ?? MaskRegressor.bundled()
        state = MaskEvidenceState(regressor: r, isLeft: isLeft)
        models = [ModelDescription(name: "mask_regressor",
                                   version: "mlp-" + r.network.sizes.map(String.init).joined(separator: "-"))]
    }

    public mutating func process(_ work: inout FrameWork) { state.process(&work) }
}

/// The regressor's buffers and the track counter, used from the stage's queue only (FrameStage's
/// contract), hence the unchecked conformance, confined to this file.
private final class MaskEvidenceState: @unchecked Sendable {
    let regressor: MaskRegressor
    let isLeft: Bool
    var workspace: MaskRegressor.Workspace
    var evidence = FitEvidence(keypoints: [SIMD2<Double>](repeating: .zero, count: 21), world: nil)
    var track = 0
    var tracking = false

    init(regressor: MaskRegressor, isLeft: Bool) {
        self.regressor = regressor
        self.isLeft = isLeft
        workspace = MaskRegressor.Workspace(regressor)
    }

    func process(_ work: inout FrameWork) {
        work.mask = work.frame
        let camera = work.pinholeCamera
        let found = work.frame.pixels.withMaskView { mask in
            regressor.predict(mask: mask, camera: camera, isLeft: isLeft, into: &evidence, workspace: &workspace)
        }
        work.maskRegion = found
        guard found != nil else {
            tracking = false
            return
        }
        if !tracking {
            track += 1
            tracking = true
        }
        var hand = HandRecord(track: track, handedness: isLeft ? .left : .right, handednessScore: 1, score: 1)
        hand.landmarks = evidence.keypoints.flatMap { [Float($0.x), Float($0.y)] }
        hand.worldLandmarks = evidence.world.flatMap { [Float($0.x), Float($0.y), Float($0.z)] }
        hand.roi = HandROI(cx: Float(evidence.roiCenter.x), cy: Float(evidence.roiCenter.y),
                           size: Float(evidence.roiSize), rotation: 0)
        work.hands.append(hand)
    }
}
