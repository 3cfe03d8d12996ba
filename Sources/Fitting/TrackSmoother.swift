import Foundation

/// How the noise of a track's parameters is modelled by `TrackSmoother`: each parameter moves as a
/// constant-velocity process driven by white acceleration, and each frame's fit measures it with
/// white noise.
public struct SmootherNoise: Sendable, Equatable {
    /// Acceleration spectral densities: radians²/s³ (joint and root rotations), metres²/s³ (translation).
    public var rotationProcess: Double
    public var translationProcess: Double
    /// Standard deviation of one frame's fit: radians, metres.
    public var rotationMeasurement: Double
    public var translationMeasurement: Double

    public init(rotationProcess: Double, translationProcess: Double, rotationMeasurement: Double, translationMeasurement: Double) {
        self.rotationProcess = rotationProcess
        self.translationProcess = translationProcess
        self.rotationMeasurement = rotationMeasurement
        self.translationMeasurement = translationMeasurement
    }

    /// Tuned on the stereo clip, calibrated, two-pass (`handmesh eval stereo`, views 0 / 1): the
    /// rotations' process density sets the balance of jitter and lag: 40 rad²/s³ gave jitter 1.07 /
    /// 1.20 mm, 20 gave 0.93 / 1.04, 10 gave 0.81 / 0.90 at 0.18 / 0.09 frames of lag; accuracy
    /// against triangulated points moved by under 0.05 mm over that range. A measurement sigma of
    /// 0.02 or 0.1 rad moves the balance the same way. The translation's figures are not tuned: the
    /// stereo measures are wrist- or centroid-relative.
    public static let standard = SmootherNoise(rotationProcess: 20, translationProcess: 0.05,
                                               rotationMeasurement: 0.05, translationMeasurement: 0.003)
}

/// A fixed-lag Rauch–Tung–Striebel smoother over one track's fitted parameters (root and joint
/// rotations, translation; the shape is the track's own): a Kalman filter forward, frame by frame,
/// and the RTS recursion backward from the newest frame, so each frame's estimate uses the frames
/// after it as well as before. Frames are taken out in order once `lag` newer frames have come, or
/// all at once when the track ends. A cold restart (the fit lost the hand and found it afresh)
/// starts a new chain: nothing is smoothed across it.
///
/// Every channel shares its kind's model and the frame times, so the covariances (2 × 2 per kind)
/// are the same for all channels of a kind and are kept once. Storage is a ring of `lag + 2`
/// frames, allocated at creation; pushing and taking allocate nothing.
public struct TrackSmoother: Sendable {
    /// The smoothed parameters, in `HandFitProblem`'s order: 0..<48 rotations, 48..<58 shape (passed
    /// through), 58..<61 translation.
    public static let parameterCount = 61
    /// Frames each estimate waits for: 15 is half a second at 30 fps. On the stereo clip (calibrated,
    /// views 0 / 1) a lag of 5 frames gave 9.35 / 7.86 mm against triangulated points, 15 gave 9.34 /
    /// 7.81, 30 gave 9.34 / 7.76 and the whole clip at once (fixed-interval, every frame posed with the
    /// track's final shape) 9.28 / 7.68, with jitter 0.93 / 1.04 mm at every lag from 15 up.
    public static let standardLag = 15
    public let lag: Int
    public let noise: SmootherNoise
    let capacity: Int
    /// Per slot: the frame's number, time, the measurement (61), the filtered mean and velocity
    /// (61 each), the predicted mean and velocity, and per kind the filtered and predicted 2 × 2
    /// covariances (4 numbers each, kinds rotation then translation).
    var frameNumbers: [Int]
    var times: [Double]
    var chainStarts: [Bool]
    var measured: [Double]
    var filtered: [Double]
    var filteredVelocity: [Double]
    var predicted: [Double]
    var predictedVelocity: [Double]
    var filteredCovariance: [Double]
    var predictedCovariance: [Double]
    var smoothed: [Double]
    var smoothedVelocity: [Double]
    /// Slots in use: oldest at `first`, `count` of them.
    var first = 0
    /// The slot of the newest frame pushed, or -1 before the first.
    var newest = -1
    public private(set) var count = 0

    public init(lag: Int, noise: SmootherNoise = .standard) {
        precondition(lag >= 0, "TrackSmoother: lag must not be negative")
        self.lag = lag
        self.noise = noise
        capacity = lag + 2
        let n = Self.parameterCount
        frameNumbers = [Int](repeating: 0, count: capacity)
        times = [Double](repeating: 0, count: capacity)
        chainStarts = [Bool](repeating: true, count: capacity)
        measured = [Double](repeating: 0, count: capacity * n)
        filtered = measured
        filteredVelocity = measured
        predicted = measured
        predictedVelocity = measured
        filteredCovariance = [Double](repeating: 0, count: capacity * 8)
        predictedCovariance = filteredCovariance
        smoothed = [Double](repeating: 0, count: n)
        smoothedVelocity = smoothed
    }

    /// The number of the oldest frame held, if any.
    public var oldestFrame: Int? { count > 0 ? frameNumbers[first] : nil }

    /// Whether frame `frame`'s estimate is final: `lag` newer frames are in, or the track has ended.
    public func isReady(ended: Bool) -> Bool { count > 0 && (ended || count > lag) }

    /// Adds frame `frame`'s fit (`HandFitProblem` order) at `time` seconds; `restart` begins a new
    /// chain (a cold fit). The oldest frame must have been taken first when the ring is full.
    public mutating func push(frame: Int, time: Double, parameters x: UnsafeBufferPointer<Double>, restart: Bool) {
        precondition(count < capacity, "TrackSmoother: take the oldest frame before pushing another")
        let n = Self.parameterCount
        let slot = (first + count) % capacity
        // The newest frame's slot stays intact after it is taken (the ring has a spare slot), so a
        // lag of 0, a causal filter, still continues its chain.
        let previous = newest
        frameNumbers[slot] = frame
        times[slot] = time
        let base = slot * n
        for i in 0..<n { measured[base + i] = x[i] }
        // The root rotation's axis-angle jumps where its angle passes pi; take the equivalent
        // vector nearest the previous frame's, so the channels stay continuous.
        if previous >= 0 && !restart {
            let p = SIMD3(measured[previous * n], measured[previous * n + 1], measured[previous * n + 2])
            let w = SIMD3(measured[base], measured[base + 1], measured[base + 2])
            let angle = (w * w).sum().squareRoot()
            if angle > 1e-9 {
                let alternative = w * (1 - 2 * Double.pi / angle)
                if ((alternative - p) * (alternative - p)).sum() < ((w - p) * (w - p)).sum() {
                    measured[base] = alternative.x; measured[base + 1] = alternative.y; measured[base + 2] = alternative.z
                }
            }
        }
        chainStarts[slot] = restart || previous < 0
        if chainStarts[slot] {
            // A new chain: the first measurement, at rest, with its own uncertainty.
            for i in 0..<n {
                predicted[base + i] = measured[base + i]; predictedVelocity[base + i] = 0
                filtered[base + i] = measured[base + i]; filteredVelocity[base + i] = 0
            }
            for kind in 0..<2 {
                let r = measurementVariance(kind)
                // Velocity unknown: a generous prior of one measurement sigma per 1/30 s.
                let o = slot * 8 + kind * 4
                for k in 0..<4 {
                    let c = k == 0 ? r : k == 3 ? 900 * r : 0
                    predictedCovariance[o + k] = c; filteredCovariance[o + k] = c
                }
            }
        } else {
            let dt = max(time - times[previous], 1e-3)
            for kind in 0..<2 {
                // P' = F P F^T + Q, F = [1 dt; 0 1], Q = q [dt³/3 dt²/2; dt²/2 dt].
                let o = previous * 8 + kind * 4
                let p00 = filteredCovariance[o], p01 = filteredCovariance[o + 1], p11 = filteredCovariance[o + 3]
                let q = processDensity(kind)
                let a00 = p00 + 2 * dt * p01 + dt * dt * p11 + q * dt * dt * dt / 3
                let a01 = p01 + dt * p11 + q * dt * dt / 2
                let a11 = p11 + q * dt
                let s = slot * 8 + kind * 4
                predictedCovariance[s] = a00; predictedCovariance[s + 1] = a01
                predictedCovariance[s + 2] = a01; predictedCovariance[s + 3] = a11
                // Update with H = [1 0]: gain K = P' H^T / (P'00 + r).
                let innovation = a00 + measurementVariance(kind)
                let k0 = a00 / innovation, k1 = a01 / innovation
                filteredCovariance[s] = (1 - k0) * a00
                filteredCovariance[s + 1] = (1 - k0) * a01
                filteredCovariance[s + 2] = (1 - k0) * a01
                filteredCovariance[s + 3] = a11 - k1 * a01
                for i in channels(kind) {
                    let m = filtered[previous * n + i] + dt * filteredVelocity[previous * n + i]
                    let v = filteredVelocity[previous * n + i]
                    predicted[base + i] = m; predictedVelocity[base + i] = v
                    let e = measured[base + i] - m
                    filtered[base + i] = m + k0 * e
                    filteredVelocity[base + i] = v + k1 * e
                }
            }
        }
        newest = slot
        count += 1
    }

    /// Takes the oldest frame out, writing its smoothed parameters into `x` (61) and returning its
    /// number. The estimate uses every newer frame of its chain held now.
    public mutating func takeOldest(into x: UnsafeMutableBufferPointer<Double>) -> Int {
        precondition(count > 0, "TrackSmoother: nothing to take")
        let n = Self.parameterCount
        // The oldest frame's chain ends at the first newer chain start.
        var last = 0
        while last + 1 < count && !chainStarts[(first + last + 1) % capacity] { last += 1 }
        var slot = (first + last) % capacity
        for i in 0..<n { smoothed[i] = filtered[slot * n + i]; smoothedVelocity[i] = filteredVelocity[slot * n + i] }
        var step = last
        while step > 0 {
            let earlier = (first + step - 1) % capacity
            let dt = max(times[slot] - times[earlier], 1e-3)
            for kind in 0..<2 {
                // C = P_f F^T P_p(next)^-1, and the smoothed state m_s = m_f + C (m_s(next) - m_p(next)).
                let f = earlier * 8 + kind * 4, p = slot * 8 + kind * 4
                let f00 = filteredCovariance[f], f01 = filteredCovariance[f + 1], f11 = filteredCovariance[f + 3]
                // P_f F^T = [f00 + dt f01, f01; f01 + dt f11, f11].
                let b00 = f00 + dt * f01, b01 = f01, b10 = f01 + dt * f11, b11 = f11
                let p00 = predictedCovariance[p], p01 = predictedCovariance[p + 1], p11 = predictedCovariance[p + 3]
                let det = p00 * p11 - p01 * p01
                let i00 = p11 / det, i01 = -p01 / det, i11 = p00 / det
                let c00 = b00 * i00 + b01 * i01, c01 = b00 * i01 + b01 * i11
                let c10 = b10 * i00 + b11 * i01, c11 = b10 * i01 + b11 * i11
                for i in channels(kind) {
                    let dm = smoothed[i] - predicted[slot * n + i], dv = smoothedVelocity[i] - predictedVelocity[slot * n + i]
                    smoothed[i] = filtered[earlier * n + i] + c00 * dm + c01 * dv
                    smoothedVelocity[i] = filteredVelocity[earlier * n + i] + c10 * dm + c11 * dv
                }
            }
            slot = earlier
            step -= 1
        }
        let oldest = first
        for i in 48..<58 { smoothed[i] = measured[oldest * n + i] }
        // Back to the principal axis-angle (angle at most pi).
        var w = SIMD3(smoothed[0], smoothed[1], smoothed[2])
        let angle = (w * w).sum().squareRoot()
        if angle > Double.pi { w *= 1 - 2 * Double.pi / angle }
        smoothed[0] = w.x; smoothed[1] = w.y; smoothed[2] = w.z
        for i in 0..<n { x[i] = smoothed[i] }
        let frame = frameNumbers[oldest]
        first = (first + 1) % capacity
        count -= 1
        // The frame after the one taken keeps its filtered state: later estimates need nothing older.
        return frame
    }

    func channels(_ kind: Int) -> Range<Int> { kind == 0 ? 0..<48 : 58..<61 }
    func processDensity(_ kind: Int) -> Double { kind == 0 ? noise.rotationProcess : noise.translationProcess }
    func measurementVariance(_ kind: Int) -> Double {
        let s = kind == 0 ? noise.rotationMeasurement : noise.translationMeasurement
        return s * s
    }
}
