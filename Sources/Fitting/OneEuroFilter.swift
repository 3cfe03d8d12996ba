import Foundation

/// Parameters of the One Euro filter (Casiez, Roussel & Vogel, CHI 2012, "1€ Filter: A Simple
/// Speed-based Low-pass Filter for Noisy Input in Interactive Systems").
public struct OneEuroParameters: Sendable, Equatable {
    /// Cutoff frequency (Hz) at zero speed: lower removes more jitter when still.
    public var minCutoff: Double
    /// How fast the cutoff rises with speed (per unit of the signal's speed): higher lags less
    /// on fast motion.
    public var beta: Double
    /// Cutoff (Hz) of the speed estimate's own low-pass; the paper uses 1 Hz.
    public var derivativeCutoff: Double

    public init(minCutoff: Double, beta: Double, derivativeCutoff: Double = 1) {
        self.minCutoff = minCutoff
        self.beta = beta
        self.derivativeCutoff = derivativeCutoff
    }
}

/// A One Euro filter over a fixed-length vector of independent channels, storage allocated once.
public struct OneEuroFilter: Sendable {
    public var parameters: OneEuroParameters
    public let channels: Int
    private var previous: [Double]
    private var previousDerivative: [Double]
    private var lastTime: Double = 0
    private var primed = false

    public init(channels: Int, parameters: OneEuroParameters) {
        self.channels = channels
        self.parameters = parameters
        previous = [Double](repeating: 0, count: channels)
        previousDerivative = [Double](repeating: 0, count: channels)
    }

    /// Forget the history: the next sample passes through unchanged.
    public mutating func reset() { primed = false }

    /// The smoothing factor of an exponential filter with cutoff `cutoff` Hz at sampling interval
    /// `dt` s (the paper's alpha = 1 / (1 + tau/Te), tau = 1 / (2 pi fc)).
    @inline(__always)
    public static func alpha(cutoff: Double, dt: Double) -> Double {
        let tau = 1 / (2 * Double.pi * cutoff)
        return 1 / (1 + tau / dt)
    }

    /// Filters `values` in place, sampled at `time` seconds.
    public mutating func filter(_ values: UnsafeMutableBufferPointer<Double>, time: Double) {
        precondition(values.count >= channels, "OneEuroFilter: \(values.count) values for \(channels) channels")
        if !primed || time <= lastTime {
            for i in 0..<channels {
                previous[i] = values[i]
                previousDerivative[i] = 0
            }
            lastTime = time
            primed = true
            return
        }
        let dt = time - lastTime
        lastTime = time
        let p = parameters
        let aD = Self.alpha(cutoff: p.derivativeCutoff, dt: dt)
        for i in 0..<channels {
            let raw = values[i]
            let derivative = (raw - previous[i]) / dt
            let dHat = previousDerivative[i] + aD * (derivative - previousDerivative[i])
            previousDerivative[i] = dHat
            let cutoff = p.minCutoff + p.beta * abs(dHat)
            let a = Self.alpha(cutoff: cutoff, dt: dt)
            let filtered = previous[i] + a * (raw - previous[i])
            previous[i] = filtered
            values[i] = filtered
        }
    }

    /// Convenience over an array (allocates nothing when `values` is uniquely referenced).
    public mutating func filter(_ values: inout [Double], time: Double) {
        values.withUnsafeMutableBufferPointer { filter($0, time: time) }
    }
}
