import Configuration
import Foundation
import Logging
import Neural

/// The estimator stages every stream runs, in order: crop + evidence, then regression + refinement.
public enum StandardStages {
    /// Loads what the stages need (the networks from `settings.modelsDir`, the hand model named by
    /// `settings.model`); throws a one-line error naming the model and what is wrong.
    /// `overlay`, with the input's frame rate, adds a last stage that draws the fitted hands over
    /// every frame and encodes them to that video file.
    public static func make(for settings: StreamSettings, logger: Logger,
                            overlay: (path: String, fps: Double)? = nil) throws -> [any FrameStage] {
        let store = ModelStore(directory: settings.modelsDir.map { URL(fileURLWithPath: $0) })
        // One worker per inference by default: the pipeline already runs decode, evidence and fitting
        // on separate queues, which keeps both cores busy.
        let evidence = try EvidenceStage(models: store, mirrored: settings.mirrored, maxHands: settings.maxHands,
                                         threads: max(settings.threads, 1))
        let fitting = try FittingStage(handModel: settings.model.description,
                                       filter: settings.smoothing ? .standard : nil)
        guard let overlay else { return [evidence, fitting] }
        return [evidence, fitting, try OverlayStage(path: overlay.path, fps: overlay.fps,
                                                   handModel: settings.model.description, logger: logger)]
    }
}
