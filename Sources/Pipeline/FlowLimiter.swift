import Foundation

/// Admits a frame from a live source only while fewer than `limit` frames are in the pipeline;
/// the rest are dropped at the entrance instead of queueing up latency. The idea of MediaPipe's
/// FlowLimiterCalculator (mediapipe/calculators/core/flow_limiter_calculator.cc), whose
/// max_in_flight is this `limit`.
final class FlowLimiter: @unchecked Sendable {
    private let lock = NSLock()
    private var inFlight = 0
    let limit: Int

    init(limit: Int) {
        self.limit = max(limit, 1)
    }

    func tryAdmit() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard inFlight < limit else { return false }
        inFlight += 1
        return true
    }

    func finished() {
        lock.lock()
        inFlight -= 1
        lock.unlock()
    }
}
