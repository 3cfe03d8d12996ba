import Foundation

/// What one stream has done, kept for scrapes across the stream's restarts (`serve` runs a new
/// pipeline after each failure; the counters go on). Written by the pipeline's decode and sink
/// stages, one lock each per frame; nothing allocates once the stage names are known.
public final class StreamMetrics: @unchecked Sendable {
    public let stream: String
    /// Stage latency buckets, seconds: from a tracked frame's sub-millisecond stages to a slow
    /// palm detection.
    public static let stageBounds = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]
    public static let handBounds: [Double] = [0, 1, 2, 3, 4, 5, 6, 7, 8]

    public struct Snapshot: Sendable {
        public var decoded: UInt64 = 0
        public var processed: UInt64 = 0
        public var dropped: UInt64 = 0
        public var reconnects: UInt64 = 0
        public var stages: [(name: String, histogram: Histogram)] = []
        public var hands = Histogram(upperBounds: StreamMetrics.handBounds)
    }

    private let lock = NSLock()
    private var state = Snapshot()

    public init(stream: String) {
        self.stream = stream
    }

    public var snapshot: Snapshot {
        lock.lock()
        defer { lock.unlock() }
        return state
    }

    public func decoded(dropped: Bool) {
        lock.lock()
        state.decoded += 1
        if dropped { state.dropped += 1 }
        lock.unlock()
    }

    public func reconnected() {
        lock.lock()
        state.reconnects += 1
        lock.unlock()
    }

    /// One frame written: its stage times (milliseconds, in `names` order) and its hand count.
    public func processed(names: [String], milliseconds: (Int) -> Double, hands: Int) {
        lock.lock()
        defer { lock.unlock() }
        if state.stages.count != names.count || !zip(state.stages, names).allSatisfy({ $0.name == $1 }) {
            state.stages = names.map { ($0, Histogram(upperBounds: Self.stageBounds)) }
        }
        state.processed += 1
        for i in names.indices {
            state.stages[i].histogram.observe(milliseconds(i) / 1000)
        }
        state.hands.observe(Double(hands))
    }
}
