import Foundation

/// Live counters of one pipeline, read by the progress bar, the watchdog and the benchmark
/// while the pipeline runs.
public final class PipelineStatus: @unchecked Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var decoded = 0
        public var processed = 0
        public var dropped = 0
        public var corrupt = 0
        /// Monotonic nanoseconds of the last frame written (or of the start).
        public var lastProgressNanoseconds: UInt64 = 0
        /// Whether the decoder is inside the source, waiting for its next event.
        public var waitingForSource = false
        public var finished = false
        /// Total time spent encoding and writing frame records, nanoseconds.
        public var sinkNanoseconds: UInt64 = 0

        /// Frames decoded and admitted but not yet written.
        public var inFlight: Int { decoded - dropped - processed }
    }

    private let lock = NSLock()
    private var state = Snapshot()

    init() {
        state.lastProgressNanoseconds = MonotonicClock.nanoseconds()
    }

    public var snapshot: Snapshot {
        lock.lock()
        defer { lock.unlock() }
        return state
    }

    /// Whether the pipeline is alive: it finished, or it is making progress, or it has nothing to
    /// do because it is waiting on its source with no frame in flight. A frame in flight for
    /// longer than `stallSeconds` means a stage is stuck.
    public func isHealthy(stallSeconds: Double) -> Bool {
        let now = MonotonicClock.nanoseconds()
        let state = snapshot
        if state.finished || state.inFlight <= 0 { return true }
        return Double(now &- state.lastProgressNanoseconds) / 1e9 < stallSeconds
    }

    func update(_ change: (inout Snapshot) -> Void) {
        lock.lock()
        change(&state)
        lock.unlock()
    }
}
