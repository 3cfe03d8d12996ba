import Foundation

/// Stage timing and wall-clock stamps for records.
enum MonotonicClock {
    static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    static func milliseconds(since start: UInt64) -> Double {
        Double(nanoseconds() &- start) / 1e6
    }
}

enum WallClock {
    /// Seconds since the Unix epoch.
    static func now() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
