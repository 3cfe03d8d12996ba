import Foundation
import HandModel

/// Plausible hand poses for training and recovery benchmarks, built from natural articulations
/// (open, relaxed, fist, pinch, point, grasp) and blends of two, with per-joint variation, then
/// clamped into the model's joint limits.
///
/// Articulations are written as anatomy (a curl per finger, thumb opposition, finger spread),
/// and turned into axis-angle with each joint's flexion and abduction axes found from the rest
/// skeleton, the same construction as the model's joint limits, so the sampler works for any
/// hand model in MANO's layout.
public struct PoseSampler: Sendable {
    /// Finger order in MANO: index, middle, pinky, ring, thumb; joints 3 per finger.
    static let fingerOfJoint = [0, 0, 0, 1, 1, 1, 4, 4, 4, 3, 3, 3, 2, 2, 2]  // 0 index 1 middle 2 thumb 3 ring 4 pinky
    let flexAxis: [SIMD3<Double>]
    let abductionAxis: [SIMD3<Double>]
    public let limits: [ClosedRange<Double>]

    /// One articulation: curl per digit (thumb, index, middle, ring, pinky) in 0...1, thumb
    /// opposition 0...1, finger spread 0...1.
    public struct Articulation: Sendable {
        public var curl: [Double]
        public var opposition: Double
        public var spread: Double
    }

    public static let articulations: [String: Articulation] = [
        "open": Articulation(curl: [0, 0, 0, 0, 0], opposition: 0.1, spread: 0.7),
        "relaxed": Articulation(curl: [0.15, 0.2, 0.25, 0.3, 0.35], opposition: 0.3, spread: 0.3),
        "fist": Articulation(curl: [0.6, 1, 1, 1, 1], opposition: 0.5, spread: 0),
        "pinch": Articulation(curl: [0.45, 0.55, 0.15, 0.15, 0.15], opposition: 0.9, spread: 0.3),
        "point": Articulation(curl: [0.6, 0, 1, 1, 1], opposition: 0.5, spread: 0.1),
        "grasp": Articulation(curl: [0.35, 0.45, 0.5, 0.55, 0.6], opposition: 0.8, spread: 0.2),
    ]
    static let names = ["open", "relaxed", "fist", "pinch", "point", "grasp"]

    public init(model: HandModel) {
        let j = model.restJoints
        func unit(_ v: SIMD3<Double>) -> SIMD3<Double> { v / (v * v).sum().squareRoot() }
        // Right hand: (index - wrist) x (pinky - wrist) leaves the palm.
        var normal = unit(cross3(j[1] - j[0], j[7] - j[0]))
        if model.side == .left { normal = -normal }
        // Positive abduction moves a bone toward the thumb side (the radial direction).
        let radial = unit(j[1] - j[7]) * (model.side == .left ? -1 : 1)
        var flex: [SIMD3<Double>] = [], abd: [SIMD3<Double>] = []
        for q in 1..<16 {
            let isDistal = q % 3 == 0
            let bone = unit(isDistal ? j[q] - j[HandJoint.parents[q]] : j[q + 1] - j[q])
            let f = unit(cross3(bone, normal))
            flex.append(f)
            let a = unit(cross3(f, bone))
            abd.append(((cross3(a, bone) * radial).sum() >= 0 ? 1 : -1) * a)
        }
        flexAxis = flex
        abductionAxis = abd
        limits = model.poseLimits
    }

    /// Axis-angle pose (45) of an articulation.
    public func pose(_ a: Articulation, jitter: Double, rng: inout SeededRandom) -> [Double] {
        var pose = [Double](repeating: 0, count: 45)
        // Full curl per joint of a finger (MCP, PIP, DIP) and of the thumb (CMC, MCP, IP), radians,
        // inside the anatomical ranges the model's limits come from.
        let fingerCurl = [80.0, 100, 70].map { $0 * .pi / 180 }
        let thumbCurl = [30.0, 50, 70].map { $0 * .pi / 180 }
        // Spread of index, middle, ring, pinky from the middle finger (radians, toward thumb +).
        let spreadAngle = [0.2, 0, -0.15, -0.3]
        for q in 0..<15 {
            let digit = Self.fingerOfJoint[q]
            let level = q % 3
            let isThumb = digit == 2
            let curlIndex = isThumb ? 0 : (digit == 0 ? 1 : digit == 1 ? 2 : digit == 3 ? 3 : 4)
            var flexion = a.curl[curlIndex] * (isThumb ? thumbCurl[level] : fingerCurl[level])
            var abduction = 0.0
            if isThumb {
                if level == 0 { abduction = a.opposition * 0.8 - 0.2 }
            } else if level == 0 {
                let s = [0: 0, 1: 1, 3: 2, 4: 3][digit]!
                abduction = spreadAngle[s] * a.spread
            }
            flexion += jitter * rng.gaussian() * 0.25
            abduction += jitter * rng.gaussian() * 0.08
            let w = flexion * flexAxis[q] + abduction * abductionAxis[q]
            for c in 0..<3 {
                let i = 3 * q + c
                pose[i] = min(limits[i].upperBound, max(limits[i].lowerBound, w[c] + jitter * 0.03 * rng.gaussian()))
            }
        }
        return pose
    }

    /// A random natural pose: one articulation or a blend of two, with per-joint jitter.
    public func sample(_ rng: inout SeededRandom) -> [Double] {
        let a = Self.articulations[Self.names[Int(rng.uniform() * Double(Self.names.count))]]!
        let b = Self.articulations[Self.names[Int(rng.uniform() * Double(Self.names.count))]]!
        let t = rng.uniform() < 0.4 ? 0 : rng.uniform()
        var mixed = a
        for i in 0..<5 {
            mixed.curl[i] = min(1, max(0, (1 - t) * a.curl[i] + t * b.curl[i] + 0.1 * rng.gaussian()))
        }
        mixed.opposition = min(1, max(0, (1 - t) * a.opposition + t * b.opposition + 0.1 * rng.gaussian()))
        mixed.spread = min(1, max(0, (1 - t) * a.spread + t * b.spread + 0.2 * rng.gaussian()))
        return pose(mixed, jitter: 1, rng: &rng)
    }

    /// Random shape: standard normal, clipped at 2.5 sigma (the model's prior).
    public static func sampleShape(_ rng: inout SeededRandom, sigma: Double = 1) -> [Double] {
        (0..<10).map { _ in min(2.5, max(-2.5, sigma * rng.gaussian())) }
    }
}
