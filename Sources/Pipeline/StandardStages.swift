import Configuration
import Fitting
import Foundation
import HandModel
import Logging
import Neural

/// The estimator stages every stream runs, in order: crop + evidence, then regression + refinement.
public enum StandardStages {
    /// With a `mask` video, a first stage pairs its frames with the input's, and the refinement fits
    /// the silhouette too. When the input is a mask (`input_is_mask`), the mask regressor replaces
    /// crop + evidence.
    /// Loads what the stages need (the networks from `settings.modelsDir`, the hand model named by
    /// `settings.model`); throws a one-line error naming the model and what is wrong.
    /// With `stillImages` resolved true (`StreamSettings.resolved(for:)`), palm detection runs on every frame.
    /// `overlay`, with the input's frame rate, adds a stage that draws the fitted hands over
    /// every frame and encodes them to that video file. With a `snapshot` path, `snapshots` pulls
    /// a PNG of the next frame there on request.
    /// Checks, before any stream starts, what `make` would load for `settings`: the networks'
    /// files against their pinned digests and the hand model. A daemon must not report ready with
    /// models it cannot run; throws the one-line error naming the model and what is wrong.
    public static func checkModels(for settings: StreamSettings) throws {
        if !settings.inputIsMask {
            let store = ModelStore(directory: settings.modelsDir.map { URL(fileURLWithPath: $0) })
            for network in [HandNetwork.palmDetectionFull, .handLandmarkFull] { try store.verify(network) }
        }
        _ = try HandModel.named(settings.model.description, side: .right)
    }

    public static func make(for settings: StreamSettings, logger: Logger,
                            overlay: (path: String, fps: Double)? = nil,
                            snapshots: SnapshotTrigger? = nil) throws -> [any FrameStage] {
        var stages: [any FrameStage] = []
        if let mask = settings.mask {
            stages.append(try MaskInputStage(input: mask, options: settings.sourceOptions, logger: logger))
        }
        if settings.inputIsMask {
            stages.append(try MaskEvidenceStage(isLeft: settings.maskHand == .left, forearm: settings.maskForearm))
        } else {
            let store = ModelStore(directory: settings.modelsDir.map { URL(fileURLWithPath: $0) })
            // One worker per inference by default: the pipeline already runs decode, evidence and fitting
            // on separate queues, which keeps both cores busy.
            stages.append(try EvidenceStage(models: store, mirrored: settings.mirrored, maxHands: settings.maxHands,
                                            threads: settings.threads > 0 ? settings.threads : settings.automaticNetworkThreads,
                                            precision: settings.precision == .int8 ? .int8 : .float32,
                                            staticImageMode: settings.stillImages ?? false))
        }
        // Unresolved `auto` (a caller that skipped `resolved(for:)`) is causal: it never holds frames back.
        let filter: HandFilterSettings? = settings.smoothing == .causal || settings.smoothing == .auto
            ? (settings.inputIsMask ? .silhouette : .standard) : nil
        stages.append(try FittingStage(handModel: settings.model.description, filter: filter,
                                       smootherLag: settings.smoothing == .twoPass ? TrackSmoother.standardLag : nil,
                                       evidenceFromMask: settings.inputIsMask, withMask: settings.mask != nil))
        if let overlay {
            stages.append(try OverlayStage(path: overlay.path, fps: overlay.fps, handModel: settings.model.description,
                                           logger: logger))
        }
        if let path = settings.snapshot, let snapshots {
            stages.append(try SnapshotStage(path: path, trigger: snapshots, handModel: settings.model.description, logger: logger))
        }
        return stages
    }
}
