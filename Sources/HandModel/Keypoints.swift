/// How the 21 keypoints are defined on the skeleton.
public enum KeypointConvention: String, Sendable, CaseIterable {
    /// MediaPipe's landmark semantics: the wrist landmark 14 mm from the wrist joint toward the middle
    /// MCP, and the thumb CMC landmark 12 mm from MANO's thumb1 joint toward thumb2. A prototype
    /// rendering a procedural hand and running MediaPipe's landmark model measured these offsets
    /// (shared notes, synthetic-hands.md); fitting to MediaPipe evidence needs keypoints that mean the
    /// same thing. The offsets are fractions of the template bone, so they scale with the hand.
    case mediaPipe
    /// The kinematic joints themselves (MANO's 16 joints plus 5 fingertip vertices), as datasets
    /// built on MANO define them.
    case modelJoints
}

enum KeypointLayout {
    static let count = 21
    /// MediaPipe's HandLandmark names, lower-cased, in MediaPipe's order (as Records writes them).
    static let names = [
        "wrist",
        "thumb_cmc", "thumb_mcp", "thumb_ip", "thumb_tip",
        "index_finger_mcp", "index_finger_pip", "index_finger_dip", "index_finger_tip",
        "middle_finger_mcp", "middle_finger_pip", "middle_finger_dip", "middle_finger_tip",
        "ring_finger_mcp", "ring_finger_pip", "ring_finger_dip", "ring_finger_tip",
        "pinky_mcp", "pinky_pip", "pinky_dip", "pinky_tip",
    ]
    /// Source of each keypoint: a MANO joint index, or −1 − d for the fingertip vertex of digit d
    /// (0 thumb, 1 index, 2 middle, 3 ring, 4 pinky).
    static let sources = [0, 13, 14, 15, -1, 1, 2, 3, -2, 4, 5, 6, -3, 10, 11, 12, -4, 7, 8, 9, -5]
    /// MediaPipe's landmark offsets (metres, along the named bone), see `KeypointConvention.mediaPipe`.
    static let mediaPipeWristShift = 0.014
    static let mediaPipeThumbCMCShift = 0.012

    /// Builds the keypoints as skinned points: joints ride on their own bone with weight one,
    /// fingertips are copies of their surface vertex, shifted landmarks ride on the bone they lie on.
    static func points(vertices: SkinnedPoints, jointTemplate: [SIMD3<Double>], jointShapeDirs: [SIMD3<Double>],
                       tipVertices: [Int], convention: KeypointConvention) -> SkinnedPoints {
        let k = HandParameters.shapeCount
        var rest: [SIMD3<Double>] = []
        var dirs: [SIMD3<Double>] = []
        var weights = [Double](repeating: 0, count: count * ManoJoint.count)
        let poseFeatures = 135
        var poseDirs: [Double]? = vertices.poseDirs == nil ? nil : [Double](repeating: 0, count: count * 3 * poseFeatures)

        func addJointBlend(_ n: Int, joint a: Int, toward b: Int, shift: Double) {
            let bone = jointTemplate[b] - jointTemplate[a]
            let t = shift == 0 ? 0 : shift / (bone * bone).sum().squareRoot()
            rest.append(jointTemplate[a] * (1 - t) + jointTemplate[b] * t)
            for s in 0..<k { dirs.append(jointShapeDirs[a * k + s] * (1 - t) + jointShapeDirs[b * k + s] * t) }
            weights[n * ManoJoint.count + a] = 1
        }
        for (n, source) in sources.enumerated() {
            if source >= 0 {
                let shifted = convention == .mediaPipe && (source == 0 || source == 13)
                if shifted && source == 0 {
                    addJointBlend(n, joint: 0, toward: ManoJoint.middle1.rawValue, shift: mediaPipeWristShift)
                } else if shifted {
                    addJointBlend(n, joint: 13, toward: 14, shift: mediaPipeThumbCMCShift)
                } else {
                    addJointBlend(n, joint: source, toward: source, shift: 0)
                }
            } else {
                let v = tipVertices[-1 - source]
                rest.append(vertices.rest[v])
                for s in 0..<k { dirs.append(vertices.shapeDirs[v * k + s]) }
                for i in vertices.influenceStart[v]..<vertices.influenceStart[v + 1] {
                    weights[n * ManoJoint.count + vertices.influenceJoint[i]] = vertices.influenceWeight[i]
                }
                if let src = vertices.poseDirs {
                    for e in 0..<(3 * poseFeatures) { poseDirs![n * 3 * poseFeatures + e] = src[v * 3 * poseFeatures + e] }
                }
            }
        }
        return SkinnedPoints(rest: rest, shapeDirs: dirs, poseDirs: poseDirs, denseWeights: weights, jointCount: ManoJoint.count)
    }
}
