import HandModel

/// Anatomical joint axes of a hand model, found from its rest skeleton, so gestures can be written as
/// flexion and abduction angles rather than raw axis-angle numbers: flexion about bone × palm normal
/// (positive curls toward the palm), abduction about the axis normal to bone and flexion axis
/// (positive toward the thumb side). The same construction as the hand model's joint limits, which
/// makes a gesture land inside them; it works for the built-in hand and a MANO file alike.
public struct HandArticulation: Sendable {
    /// Per pose joint 1…15 (MANO order): unit flexion and abduction axes in the rest frame.
    public let flexionAxis: [SIMD3<Double>]
    public let abductionAxis: [SIMD3<Double>]
    /// The palm normal (out of the palm) and the direction from wrist to middle finger base.
    public let palmNormal: SIMD3<Double>
    public let fingerDirection: SIMD3<Double>
    /// The thumb side: from the pinky's base toward the index finger's base, in the palm plane.
    public let radialDirection: SIMD3<Double>

    public init(model: HandModel) {
        let j = model.restJoints
        func unit(_ v: SIMD3<Double>) -> SIMD3<Double> { v / (v * v).sum().squareRoot() }
        func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
            SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
        }
        let index1 = ManoJoint.index1.rawValue, pinky1 = ManoJoint.pinky1.rawValue, middle1 = ManoJoint.middle1.rawValue
        // For a right hand (index − wrist) × (pinky − wrist) points out of the palm; a mirror image flips it.
        let span = cross(j[index1] - j[0], j[pinky1] - j[0])
        let normal = unit(model.side == .right ? span : -span)
        palmNormal = normal
        fingerDirection = unit(j[middle1] - j[0])
        let radial = j[index1] - j[pinky1]
        radialDirection = unit(radial - (radial * normal).sum() * normal)
        var flex: [SIMD3<Double>] = [], abd: [SIMD3<Double>] = []
        for q in 1..<ManoJoint.count {
            let distal = q % 3 == 0
            let bone = unit(distal ? j[q] - j[ManoJoint.parents[q]] : j[q + 1] - j[q])
            // Rotating by +angle about bone × n moves the bone toward n: flexion toward the palm.
            let f = unit(cross(bone, normal))
            var a = unit(cross(f, bone))
            // Rotating about a moves the bone toward a × bone; make that the thumb side.
            if (cross(a, bone) * radialDirection).sum() < 0 { a = -a }
            flex.append(f)
            abd.append(a)
        }
        flexionAxis = flex
        abductionAxis = abd
    }

    /// The 45 pose values for per-joint (flexion, abduction) in radians, MANO's joint order (1…15).
    public func pose(_ angles: [SIMD2<Double>]) -> [Double] {
        precondition(angles.count == 15, "HandArticulation.pose needs 15 (flexion, abduction) pairs")
        var p = [Double](repeating: 0, count: 45)
        for q in 0..<15 {
            let w = angles[q].x * flexionAxis[q] + angles[q].y * abductionAxis[q]
            p[3 * q] = w.x
            p[3 * q + 1] = w.y
            p[3 * q + 2] = w.z
        }
        return p
    }
}
