/// How a job ended, and the exit status a batch reports for a set of them.
public enum BatchOutcome: String, Sendable, Equatable, Comparable {
    /// The whole video was read and written.
    case done
    /// Written, but damaged input was skipped (corrupt packets) or the input ended in a failure.
    case damaged
    /// No records: the video could not be opened or the job could not start.
    case failed

    /// Finished jobs are skipped by a rerun; a failed one is tried again.
    public var isFinished: Bool { self != .failed }

    /// `run`'s own statuses: 0 all done, 3 some damaged (none failed), 2 some failed.
    public var exitStatus: Int32 {
        switch self {
        case .done: 0
        case .damaged: 3
        case .failed: 2
        }
    }

    private var rank: Int {
        switch self {
        case .done: 0
        case .damaged: 1
        case .failed: 2
        }
    }

    public static func < (lhs: BatchOutcome, rhs: BatchOutcome) -> Bool { lhs.rank < rhs.rank }

    /// The worst of `outcomes`: what a whole batch (or array task) exits with.
    public static func overall(_ outcomes: [BatchOutcome]) -> BatchOutcome {
        outcomes.max() ?? .done
    }
}

/// Which job a task runs: `--index N`, else the batch engine's own index (Slurm's
/// SLURM_ARRAY_TASK_ID, a Kubernetes Indexed Job's JOB_COMPLETION_INDEX); nil runs every job.
public enum BatchIndex {
    public static let variables = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"]

    public static func resolve(explicit: Int?, environment: [String: String]) throws -> Int? {
        if let explicit { return explicit }
        for name in variables {
            guard let text = environment[name], !text.isEmpty else { continue }
            guard let index = Int(text), index >= 0 else {
                throw BatchError("\(name)=\(text): not a job index (0 or more)")
            }
            return index
        }
        return nil
    }
}
