import Configuration
import Foundation
import Logging
import Neural

/// The estimator stages every stream runs, in order: crop + evidence, then regression + refinement.
public enum StandardStages {
    /// Loads what the stages need (the networks from `settings.modelsDir`, the hand model named by
    /// `settings.model`); throws a one-line error naming the model and what is wrong.
    public static func make(for settings: StreamSettings, logger: Logger) throws -> [any FrameStage] {
        let store = ModelStore(directory: settings.modelsDir.map { URL(fileURLWithPath: $0) })
        // One worker per inference by default: the pipeline already runs decode, evidence and fitting
        // on separate queues, which keeps both cores busy.
        let evidence = try EvidenceStage(models: store, mirrored: settings.mirrored, maxHands: settings.maxHands,
                                         threads: max(settings.threads, 1))
        let fitting = try FittingStage(handModel: settings.model.description)
        return [evidence, fitting]
    }
}
