/// Exponential backoff between reconnect attempts: initialDelay, 2×, 4×, … capped at maxDelay.
public struct ReconnectPolicy: Sendable, Equatable {
    /// Seconds before the first attempt after a loss.
    public var initialDelay: Double
    /// The longest wait between attempts.
    public var maxDelay: Double
    /// Attempts per loss before the source gives up and ends; nil retries until cancelled.
    public var maxAttempts: Int?

    public init(initialDelay: Double = 0.5, maxDelay: Double = 30, maxAttempts: Int? = nil) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxAttempts = maxAttempts
    }

    /// Seconds to wait before attempt `attempt` (1-based).
    public func delay(beforeAttempt attempt: Int) -> Double {
        let initial = max(0, initialDelay)
        let cap = max(initial, maxDelay)
        // 2^exponent overflows to infinity long before attempt counts matter; min() keeps the cap.
        let exponent = Double(max(0, min(attempt - 1, 62)))
        return min(cap, initial * pow2(exponent))
    }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        var remaining = Int(exponent)
        while remaining > 0 { value *= 2; remaining -= 1 }
        return value
    }
}
