/// A Prometheus histogram's state: cumulative counts per upper bound, the sum and the count.
/// A value type; its owner guards it.
public struct Histogram: Sendable, Equatable {
    public let upperBounds: [Double]
    public private(set) var counts: [UInt64]
    public private(set) var sum = 0.0
    public private(set) var count: UInt64 = 0

    public init(upperBounds: [Double]) {
        self.upperBounds = upperBounds
        counts = [UInt64](repeating: 0, count: upperBounds.count)
    }

    /// Counts `value` in its bucket only; `cumulativeCounts` adds them up at scrape time, so an
    /// observation costs one comparison per bucket and no allocation.
    public mutating func observe(_ value: Double) {
        sum += value
        count += 1
        for i in upperBounds.indices where value <= upperBounds[i] {
            counts[i] += 1
            return
        }
    }

    /// Counts of values at or below each bound, as the exposition format wants them.
    public var cumulativeCounts: [UInt64] {
        var running: UInt64 = 0
        return counts.map { running += $0; return running }
    }
}
