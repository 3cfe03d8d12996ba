import Foundation

/// Anatomical ranges of motion for every pose value, as box limits usable by a prior or a bounded
/// solver.
///
/// Ranges are the normal active ranges of motion of the American Academy of Orthopaedic Surgeons
/// ("Joint Motion: Method of Measuring and Recording", AAOS 1965; the values tabulated by Hume et
/// al., "Functional range of motion of the joints of the hand", J Hand Surg 15A:240–243, 1990):
/// MCP flexion 90°, hyperextension up to 30–45°; PIP flexion 100–110°; DIP flexion 80–90°,
/// hyperextension 10°; thumb MCP flexion 50–60°; thumb IP flexion 80°, hyperextension 15–20°.
/// Abduction of the MCPs is ±15–30°; twist, which the joints barely allow, and the lateral play of
/// the interphalangeal joints get a small slack (±8°) so fits are not pinned by a frame that is only
/// nearly aligned.
///
/// MANO's pose is axis-angle in the rest frame, so each limit applies to one rest-frame axis. For
/// each joint the anatomical axes are found from the rest skeleton (twist along the bone, flexion
/// about bone × palm normal, abduction about the palm normal) and each rest-frame axis takes the
/// range of the anatomical axis it is most aligned with, sign included. This works for the built-in
/// hand, its mirror image, and a MANO file's own frame alike. The thumb's axes are oblique to the
/// palm, so its box is deliberately wider.
public enum JointLimits {
    /// Degrees: flexion (positive curls toward the palm), abduction (positive toward the thumb side),
    /// twist (about the bone).
    public struct Range: Sendable, Equatable {
        public var flexion: ClosedRange<Double>
        public var abduction: ClosedRange<Double>
        public var twist: ClosedRange<Double>
    }

    /// Per pose joint (1…15 in MANO's order).
    public static let anatomical: [Range] = {
        let mcpTwist = -8.0...8.0, small = -8.0...8.0
        let pip = Range(flexion: -8...110, abduction: small, twist: small)
        let dip = Range(flexion: -10...90, abduction: small, twist: small)
        return [
            Range(flexion: -30...90, abduction: -15...25, twist: mcpTwist), pip, dip,   // index
            Range(flexion: -30...90, abduction: -20...20, twist: mcpTwist), pip, dip,   // middle
            Range(flexion: -30...90, abduction: -30...15, twist: mcpTwist), pip, dip,   // pinky
            Range(flexion: -30...90, abduction: -20...15, twist: mcpTwist), pip, dip,   // ring
            // Thumb CMC: a saddle joint whose flexion, abduction and opposition mix with twist.
            Range(flexion: -45...70, abduction: -40...60, twist: -40...40),
            Range(flexion: -15...60, abduction: -15...15, twist: -15...15),   // thumb MCP
            Range(flexion: -20...85, abduction: -10...10, twist: -10...10),   // thumb IP
        ]
    }()

    /// Each pose joint's anatomical axes in the rest frame, three unit rows per joint (45 in all):
    /// flexion (bone × palm normal), abduction (toward the thumb side) and twist (along the bone).
    /// They are orthonormal, so a joint's axis-angle in one model's rest frame carries over to
    /// another's as ω' = A'ᵀ A ω, whatever way each template points.
    static func anatomicalAxes(restJoints j: [SIMD3<Double>], side: HandSide) -> [SIMD3<Double>] {
        func unit(_ v: SIMD3<Double>) -> SIMD3<Double> { v / dot(v, v).squareRoot() }
        // For a right hand (index − wrist) × (pinky − wrist) leaves the palm; a mirror flips it.
        let palmSpan = cross(j[ManoJoint.index1.rawValue] - j[0], j[ManoJoint.pinky1.rawValue] - j[0])
        let normal = unit(side == .right ? palmSpan : -palmSpan)
        let radial = unit(j[ManoJoint.index1.rawValue] - j[ManoJoint.pinky1.rawValue])
        var axes: [SIMD3<Double>] = []
        for q in 1..<ManoJoint.count {
            let isDistal = (q % 3) == 0
            let bone = unit(isDistal ? j[q] - j[ManoJoint.parents[q]] : j[q + 1] - j[q])
            let flexAxis = unit(cross(bone, normal))
            let abductionAxis = unit(cross(flexAxis, bone))
            // Rotating about +abductionAxis moves the bone toward abductionAxis × bone.
            let abductionSign: Double = dot(cross(abductionAxis, bone), radial) >= 0 ? 1 : -1
            axes += [flexAxis, abductionSign * abductionAxis, bone]
        }
        return axes
    }

    static func poseLimits(restJoints j: [SIMD3<Double>], side: HandSide) -> [ClosedRange<Double>] {
        let axes = anatomicalAxes(restJoints: j, side: side)
        var limits: [ClosedRange<Double>] = []
        for q in 1..<ManoJoint.count {
            let flexAxis = axes[3 * (q - 1)], abduction = axes[3 * (q - 1) + 1], bone = axes[3 * (q - 1) + 2]
            let r = anatomical[q - 1]
            for axis in 0..<3 {
                var e = SIMD3<Double>.zero
                e[axis] = 1
                let candidates: [(Double, ClosedRange<Double>)] = [
                    (dot(e, flexAxis), r.flexion),
                    (dot(e, abduction), r.abduction),
                    (dot(e, bone), r.twist),
                ]
                let best = candidates.max { abs($0.0) < abs($1.0) }!
                let degrees = best.0 >= 0 ? best.1 : (-best.1.upperBound)...(-best.1.lowerBound)
                limits.append((degrees.lowerBound * .pi / 180)...(degrees.upperBound * .pi / 180))
            }
        }
        return limits
    }
}
