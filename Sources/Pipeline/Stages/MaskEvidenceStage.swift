import Configuration
import Crop
import Evidence
import Fitting
import Records
import Render
import Silhouette

/// Evidence from a silhouette (mask-only streams, Mask2Hand mode): the input frame is a mask
/// (white hand on black), the mask regressor turns the hand's blob into keypoint evidence, and the
/// frame itself becomes `work.mask`, so that the fitting stage's silhouette term refines the mesh
/// against it. Appends one `PipelineHand` whose `HandEvidence` has the stream's `mask_hand` as its
/// label (score 1), presence 1 (a blob was found), the regressor's keypoints and world landmarks, and
/// an axis-aligned ROI.
///
/// A forearm in the mask (`MaskForearm`) is cut away first (`ForearmCutter`): the regressor, the
/// silhouette term and `fit.mask_iou` all see the hand alone, and the cut goes into `work.maskCut`.
///
/// A hand that vanishes from the mask ends its track; the next one starts a new track, so the
/// fit starts cold.
public struct MaskEvidenceStage: FrameStage {
    public let name = "mask_evidence"
    /// The frame is the mask: it becomes `mask`, and its blob `maskRegion`.
    public var writes: Set<FramePart> { [.mask, .evidence] }
    public let models: [ModelDescription]
    private let state: MaskEvidenceState

    /// `regressor` nil loads the committed weights.
    public init(isLeft: Bool, forearm: MaskForearm = .auto, regressor: MaskRegressor? = nil) throws {
        let r = try regressor ?? MaskRegressor.bundled()
        state = MaskEvidenceState(regressor: r, isLeft: isLeft, forearm: forearm)
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
    let forearm: MaskForearm
    var workspace: MaskRegressor.Workspace
    var cutter = ForearmCutter()
    var evidence = FitEvidence(keypoints: [SIMD2<Double>](repeating: .zero, count: 21), world: nil)
    var track = 0
    var tracking = false

    init(regressor: MaskRegressor, isLeft: Bool, forearm: MaskForearm) {
        self.regressor = regressor
        self.isLeft = isLeft
        self.forearm = forearm
        workspace = MaskRegressor.Workspace(regressor)
    }

    func process(_ work: inout FrameWork) {
        work.mask = work.frame
        let camera = work.pinholeCamera
        var cut = WristCut.none
        let found = work.frame.pixels.withMaskView { mask -> MaskRegion? in
            guard var region = MaskRegion.find(mask: mask, components: &workspace.components) else { return nil }
            if forearm != .keep,
               let c = cutter.find(mask: mask, region: region, components: workspace.components, anywhere: forearm == .cut) {
                // The hand is what is left on this side of the wrist.
                cut = c
                guard let hand = MaskRegion.find(mask: mask.cutting(c), components: &workspace.components) else { return nil }
                region = hand
            }
            regressor.predict(region: region, camera: camera, isLeft: isLeft, into: &evidence, workspace: &workspace)
            return region
        }
        work.maskCut = cut
        work.maskRegion = found
        guard found != nil else {
            tracking = false
            return
        }
        if !tracking {
            track += 1
            tracking = true
        }
        var landmarks = [21 of SIMD2<Float>](repeating: .zero)
        var world = [21 of SIMD3<Float>](repeating: .zero)
        for j in 0..<HandEvidence.landmarkCount {
            landmarks[j] = SIMD2<Float>(evidence.keypoints[j])
            world[j] = SIMD3<Float>(evidence.world[j])
        }
        let size = Float(evidence.roiSize)
        let roi = Crop.HandROI(centerX: Float(evidence.roiCenter.x), centerY: Float(evidence.roiCenter.y),
                               width: size, height: size, rotation: 0)
        work.hands.append(PipelineHand(evidence: HandEvidence(
            track: track, handedness: isLeft ? .left : .right, handednessScore: 1, presence: 1, landmarks: landmarks,
            cropLandmarks: [21 of SIMD3<Float>](repeating: .zero), worldLandmarks: world, roi: roi, fromDetection: true)))
    }
}
