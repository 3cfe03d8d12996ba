import Configuration
import Logging

/// The estimator stages every stream runs, in order. Each estimator adds its stage here (crop +
/// evidence, then regression + refinement); until they land, frames carry no hands.
public enum StandardStages {
    /// Loads what the stages need (models, from `settings.modelsDir`); throws a one-line error
    /// naming the model and what is wrong.
    public static func make(for settings: StreamSettings, logger: Logger) throws -> [any FrameStage] {
        []
    }
}
