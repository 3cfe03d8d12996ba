import Crop

/// What the evidence stage knows about one hand in one frame.
///
/// Fixed-size inline arrays (`[21 of …]`, indexed 0..<21 in MediaPipe's landmark order: 0 wrist,
/// 1–4 thumb, 5–8 index, 9–12 middle, 13–16 ring, 17–20 little finger), so a whole evidence value
/// lives without heap storage and the per-frame path allocates nothing. `landmarkArray` and
/// `worldLandmarkArray` give ordinary arrays when a consumer wants one (they allocate).
public struct HandEvidence: Sendable {
    /// Stable across frames while the hand stays tracked; a re-detected hand gets a new number.
    public var track: Int
    public var handedness: Handedness
    /// Confidence of `handedness`, 0.5…1.
    public var handednessScore: Float
    /// The landmark model's hand-presence score (0…1); tracks are dropped below the threshold.
    public var presence: Float
    /// Landmarks in frame pixels (x right, y down).
    public var landmarks: [21 of SIMD2<Float>]
    /// The model's raw landmarks in the 224x224 crop: x, y in crop pixels, z relative depth in the
    /// same units as x (MediaPipe divides it by 224 and 0.4 to normalize: normalize_z in
    /// hand_landmark_cpu.pbtxt), smaller is nearer the camera.
    public var cropLandmarks: [21 of SIMD3<Float>]
    /// Metric landmarks in metres about the hand's centre, rotated out of the crop's frame so that
    /// the axes are the camera image's (x right, y down, z away from the camera).
    public var worldLandmarks: [21 of SIMD3<Float>]
    /// The ROI the landmarks were read from.
    public var roi: HandROI
    /// True when `roi` came from the palm detector this frame, false when it was carried over from
    /// the previous frame's landmarks.
    public var fromDetection: Bool

    public init(track: Int, handedness: Handedness, handednessScore: Float, presence: Float,
                landmarks: [21 of SIMD2<Float>], cropLandmarks: [21 of SIMD3<Float>],
                worldLandmarks: [21 of SIMD3<Float>], roi: HandROI, fromDetection: Bool) {
        self.track = track
        self.handedness = handedness
        self.handednessScore = handednessScore
        self.presence = presence
        self.landmarks = landmarks
        self.cropLandmarks = cropLandmarks
        self.worldLandmarks = worldLandmarks
        self.roi = roi
        self.fromDetection = fromDetection
    }

    public static let landmarkCount = 21

    /// `landmarks` as an array (allocates).
    public var landmarkArray: [SIMD2<Float>] { (0..<Self.landmarkCount).map { landmarks[$0] } }
    /// `worldLandmarks` as an array (allocates).
    public var worldLandmarkArray: [SIMD3<Float>] { (0..<Self.landmarkCount).map { worldLandmarks[$0] } }
}
