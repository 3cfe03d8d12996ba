import Fitting
import HandModel
import Records
import Render
import Silhouette
import Video

/// Regression + refinement: fills each hand's fit fields (`global_orient`, `pose`, `shape`,
/// `transl`, `joints3d`, `joints2d`, `vertices` when the stream asks, and `fit`) from the
/// evidence fields the evidence stage wrote (`landmarks`, `world_landmarks`, `roi`,
/// `handedness`, `track`).
///
/// Each track keeps its own fitter (warm starts, its shape estimate, its filter); a track that
/// disappears is forgotten, and a hand that reappears starts cold. The camera is the stream's
/// configured intrinsics (distortion honoured) or, without them, `PinholeCamera`'s stated
/// default field of view for the frame's size.
///
/// When a frame carries a mask (`work.mask`), each hand's refinement adds a silhouette term that
/// pulls the mesh's outline onto the mask (`SilhouetteFitTerm`), compared over the square around
/// the hand's keypoints, and the record's `fit.mask_iou` says how well they agree.
public struct FittingStage: FrameStage {
    public let name = "fit"
    /// The regressor, named by its layout (its weights are committed with the source).
    public let models: [ModelDescription]
    private let state: FittingState

    /// `handModel` is the config's `model` ("builtin" or "mano:PATH"), loaded once for both sides;
    /// `regressor` nil loads the committed weights; `filter` nil switches the jitter filter off.
    /// `evidenceFromMask`: the keypoints come from the mask regressor (mask-only streams), rough
    /// guesses that the silhouette should overrule, so they weigh less.
    public init(handModel: String = "builtin", regressor: HandRegressor? = nil,
                filter: HandFilterSettings? = .standard, evidenceFromMask: Bool = false) throws {
        let r = try regressor ?? HandRegressor.bundled()
        let right = try HandModel.named(handModel, side: .right)
        let left = try HandModel.named(handModel, side: .left)
        state = FittingState(regressor: r, filter: filter, right: right, left: left)
        state.evidenceFromMask = evidenceFromMask
        models = [
            ModelDescription(name: "hand_model", version: right.source),
            ModelDescription(name: "fit_regressor", version: "mlp-" + r.network.sizes.map(String.init).joined(separator: "-")),
        ]
    }

    public mutating func process(_ work: inout FrameWork) {
        state.process(&work)
    }
}

/// The per-track fitters. A stage runs on its own serial queue and is used from that queue only
/// (FrameStage's contract), so this mutable state is never touched concurrently; the fitters
/// hold non-Sendable workspaces, hence the unchecked conformance, confined to this file.
private final class FittingState: @unchecked Sendable {
    let regressor: HandRegressor
    let filter: HandFilterSettings?
    var fitters: [Int: HandFitter] = [:]
    var silhouettes: [Int: SilhouetteFitTerm] = [:]
    var evidenceFromMask = false
    var seen: Set<Int> = []
    var evidence = FitEvidence(keypoints: [SIMD2<Double>](repeating: .zero, count: 21), world: nil)
    var result = HandFitResult()

    let right: HandModel
    let left: HandModel

    init(regressor: HandRegressor, filter: HandFilterSettings?, right: HandModel, left: HandModel) {
        self.regressor = regressor
        self.filter = filter
        self.right = right
        self.left = left
    }

    func process(_ work: inout FrameWork) {
        let camera = work.pinholeCamera
        seen.removeAll(keepingCapacity: true)
        for h in work.hands.indices {
            let hand = work.hands[h]
            guard let landmarks = hand.landmarks, landmarks.count == 42 else { continue }
            let isLeft = hand.handedness == .left
            var fitter = fitters[hand.track]
            var continues = fitter != nil
            if let f = fitter, f.model.side != (isLeft ? .left : .right) {
                fitter = nil
                continues = false
            }
            if fitter == nil {
                var settings = FitSettings(camera: camera)
                settings.filter = filter
                if evidenceFromMask {
                    // The mask regressor's keypoints are a start, not a measurement: a few times
                    // looser than a landmark network's, so the outline decides the details.
                    settings.weights.pixelSigma *= 4
                    settings.weights.worldSigma *= 4
                }
                fitter = HandFitter(model: isLeft ? left : right, regressor: regressor, settings: settings)
                fitters[hand.track] = fitter
            }
            guard let fitter else { continue }
            if fitter.settings.camera != camera { fitter.settings.camera = camera }
            fitter.settings.includeVertices = work.context.wantsVertices
            seen.insert(hand.track)

            for j in 0..<21 {
                evidence.keypoints[j] = SIMD2(Double(landmarks[2 * j]), Double(landmarks[2 * j + 1]))
                evidence.confidence[j] = 1
            }
            if let w = hand.worldLandmarks, w.count == 63 {
                for j in 0..<21 { evidence.world[j] = SIMD3(Double(w[3 * j]), Double(w[3 * j + 1]), Double(w[3 * j + 2])) }
                evidence.hasWorld = true
            } else {
                evidence.hasWorld = false
            }
            evidence.isLeft = isLeft
            if let roi = hand.roi {
                evidence.roiCenter = SIMD2(Double(roi.cx), Double(roi.cy))
                evidence.roiSize = Double(roi.size)
            } else {
                var lo = evidence.keypoints[0], hi = lo
                for p in evidence.keypoints { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
                evidence.roiCenter = 0.5 * (lo + hi)
                evidence.roiSize = max(2 * max(hi.x - lo.x, hi.y - lo.y), 1)
            }
            let silhouette = work.mask.map { attachSilhouette(mask: $0, to: fitter, track: hand.track, camera: camera) }
            if silhouette == nil { fitter.extraTerm = nil }
            fitter.fit(evidence, time: work.frame.pts, continuesTrack: continues, into: &result)
            let maskIoU = silhouette.map { term in fitter.unfilteredSolution.withUnsafeBufferPointer { term.gridIoU(at: $0) } }

            var record = hand
            let p = result.parameters
            record.globalOrient = [Float(p.globalOrient.x), Float(p.globalOrient.y), Float(p.globalOrient.z)]
            record.pose = p.pose.map(Float.init)
            record.shape = p.shape.map(Float.init)
            record.transl = [Float(p.transl.x), Float(p.transl.y), Float(p.transl.z)]
            record.joints3d = result.joints3d.flatMap { [Float($0.x), Float($0.y), Float($0.z)] }
            record.joints2d = result.joints2d.flatMap { [Float($0.x), Float($0.y)] }
            record.vertices = work.context.wantsVertices ? result.vertices.flatMap { [Float($0.x), Float($0.y), Float($0.z)] } : nil
            // The record documents a root-mean-square reprojection error.
            var squared = 0.0
            for j in 0..<21 {
                let d = result.joints2d[j] - evidence.keypoints[j]
                squared += (d * d).sum()
            }
            record.fit = FitSummary(iterations: result.iterations, reprojectionPixels: Float((squared / 21).squareRoot()),
                                    milliseconds: result.milliseconds, warm: result.warm, maskIoU: maskIoU)
            work.hands[h] = record
        }
        // Tracks not seen this frame have ended.
        if fitters.count != seen.count {
            for track in fitters.keys where !seen.contains(track) { fitters[track] = nil }
            for track in silhouettes.keys where !seen.contains(track) { silhouettes[track] = nil }
        }
    }

    /// The track's silhouette term, aimed at `mask` around the evidence's keypoints.
    func attachSilhouette(mask: Frame, to fitter: HandFitter, track: Int, camera: PinholeCamera) -> SilhouetteFitTerm {
        let renderCamera = RenderCamera(camera)
        let term: SilhouetteFitTerm
        if let existing = silhouettes[track], existing.model.side == fitter.model.side {
            term = existing
            term.camera = renderCamera
        } else {
            // With only the mask regressor's guesses beside it, the outline gets the larger say and a
            // finer grid (measured on synth clips, seeds 1-3: mask IoU 0.83 / 0.83 / 0.87 at 48 cells and
            // σ 0.3, 0.85 / 0.84 / 0.90 at 64); beside a landmark network, 48 cells keep the cost of the
            // term under 2 ms a hand (`handmesh bench silhouette`).
            term = SilhouetteFitTerm(model: fitter.model, camera: renderCamera, gridSize: evidenceFromMask ? 64 : 48,
                                     cellSigma: evidenceFromMask ? 0.3 : 0.5)
            silhouettes[track] = term
        }
        mask.pixels.withMaskView { term.setTarget(mask: $0, around: evidence.keypoints) }
        fitter.extraTerm = term
        return term
    }
}
