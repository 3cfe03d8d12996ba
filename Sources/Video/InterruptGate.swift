import Synchronization
import CFFmpeg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The state FFmpeg's interrupt callback consults: a cancel flag set from any thread and a deadline for the
/// blocking call in progress. FFmpeg's network protocols poll it about every 100 ms, so a dead network read or a
/// cancel unblocks within that time.
final class InterruptGate: Sendable {
    private let cancelled = Atomic<Bool>(false)
    /// Monotonic nanoseconds after which a blocking call gives up; 0 when no call is timed.
    private let deadline = Atomic<Int64>(0)
    private let expired = Atomic<Bool>(false)

    func cancel() { cancelled.store(true, ordering: .releasing) }

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// True when the last timed call was cut off by its deadline rather than by cancel.
    var didExpire: Bool { expired.load(ordering: .relaxed) }

    /// Times the next blocking calls; nil leaves them untimed (files, lavfi), still cancellable.
    func arm(timeout seconds: Double?) {
        expired.store(false, ordering: .relaxed)
        guard let seconds else {
            deadline.store(0, ordering: .relaxed)
            return
        }
        let nanoseconds = Int64(max(0.001, min(seconds, 1e6)) * 1e9)
        deadline.store(Clock.monotonicNanoseconds() + nanoseconds, ordering: .relaxed)
    }

    func disarm() { deadline.store(0, ordering: .relaxed) }

    func shouldInterrupt() -> Bool {
        if isCancelled { return true }
        let limit = deadline.load(ordering: .relaxed)
        if limit != 0 && Clock.monotonicNanoseconds() > limit {
            expired.store(true, ordering: .relaxed)
            return true
        }
        return false
    }

    /// Sleeps up to `seconds`, waking early on cancel. Returns false when cancelled.
    func sleep(_ seconds: Double) -> Bool {
        let end = Clock.monotonicNanoseconds() + Int64(max(0, seconds) * 1e9)
        while !isCancelled {
            let left = end - Clock.monotonicNanoseconds()
            if left <= 0 { return true }
            // Short naps keep cancel latency near 10 ms without a condition variable per source.
            var nap = timespec(tv_sec: 0, tv_nsec: Int(min(left, 10_000_000)))
            nanosleep(&nap, nil)
        }
        return false
    }

    /// The callback record to install in an AVFormatContext. The gate must outlive the context.
    func callback() -> AVIOInterruptCB {
        AVIOInterruptCB(
            callback: { opaque in
                guard let opaque else { return 0 }
                return Unmanaged<InterruptGate>.fromOpaque(opaque).takeUnretainedValue().shouldInterrupt() ? 1 : 0
            },
            opaque: Unmanaged.passUnretained(self).toOpaque())
    }
}
