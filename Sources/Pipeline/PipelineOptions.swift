import Metrics

/// Tuning of one pipeline; the defaults suit both files and live sources.
public struct PipelineOptions: Sendable {
    /// Items each queue between two stages holds. With files this bounds how far the reader runs
    /// ahead (and the memory frames take); a full queue blocks the stage before it.
    public var queueCapacity = 4
    /// At most this many frames from a live source are in the pipeline at once; more are dropped
    /// at the entrance. nil: one per stage (including the sink), so every stage can be busy but no
    /// frame waits in a queue, which keeps latency at the sum of the stage times.
    public var maxInFlight: Int?
    /// Counters and latency histograms for a metrics endpoint; nil (no endpoint) costs nothing.
    public var metrics: StreamMetrics?

    public init() {}
}
