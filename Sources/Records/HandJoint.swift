/// The 21 hand keypoints in MediaPipe's order, which every landmark and joint array in the
/// records follows (index i of `landmarks`, `world_landmarks`, `joints3d` and `joints2d` is
/// `HandJoint(rawValue: i)`). Names as in MediaPipe's `HandLandmark` enum, lower-cased.
public enum HandJoint: Int, CaseIterable, Sendable {
    case wrist
    case thumbCMC, thumbMCP, thumbIP, thumbTip
    case indexFingerMCP, indexFingerPIP, indexFingerDIP, indexFingerTip
    case middleFingerMCP, middleFingerPIP, middleFingerDIP, middleFingerTip
    case ringFingerMCP, ringFingerPIP, ringFingerDIP, ringFingerTip
    case pinkyMCP, pinkyPIP, pinkyDIP, pinkyTip

    public static let count = 21

    /// The name written in the header's joint order.
    public var name: String { Self.names[rawValue] }

    public static let names: [String] = [
        "wrist",
        "thumb_cmc", "thumb_mcp", "thumb_ip", "thumb_tip",
        "index_finger_mcp", "index_finger_pip", "index_finger_dip", "index_finger_tip",
        "middle_finger_mcp", "middle_finger_pip", "middle_finger_dip", "middle_finger_tip",
        "ring_finger_mcp", "ring_finger_pip", "ring_finger_dip", "ring_finger_tip",
        "pinky_mcp", "pinky_pip", "pinky_dip", "pinky_tip",
    ]
}
