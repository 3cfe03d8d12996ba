/// The landmark network's skeleton: where MediaPipe puts its 21 landmarks along a real hand, as each
/// bone's length over the sum of the four finger palm rays (wrist to index, middle, ring and pinky
/// MCP), in `BoneLengths` order. Its fingers are short beside the built-in hand's: the middle
/// finger's three bones are 0.96 of its palm ray where the built-in hand's are 1.50, and its
/// middle phalanx is 0.35 of the proximal one where the built-in hand's is 0.62. No shape reaches
/// these proportions, so a fit to the network's evidence starts its track's bone factors here
/// (`HandModel.landmarkBoneFactors`) rather than at the model's own.
public enum LandmarkProportions {
    /// Medians over frames 0–251 of the stereo clip (both calibrated views' 2D landmarks,
    /// undistorted and triangulated): `handmesh eval stereo --proportions --before-frame 252` on
    /// any two runs of its views (the landmarks are the network's, whatever the fit). The clip's
    /// last third stays out, as for the regressor's training (README, "Self-data augmentation"),
    /// and measures what these proportions are worth on frames they were not taken from.
    public static let mediaPipe: [Double] = [
        0.1220, 0.1092, 0.0790, 0.0589,
        0.2746, 0.1327, 0.0717, 0.0540,
        0.2589, 0.1515, 0.0531, 0.0431,
        0.2400, 0.1355, 0.0422, 0.0449,
        0.2264, 0.1041, 0.0351, 0.0404,
    ]

    /// Each bone's length over the sum of the four finger palm rays, for 21 keypoints.
    public static func ratios(_ keypoints: [SIMD3<Double>]) -> [Double] {
        precondition(keypoints.count == KeypointLayout.count, "LandmarkProportions: 21 keypoints expected")
        let lengths = BoneLengths.lengths(keypoints)
        let palm = BoneLengths.fingerPalmRays.reduce(0) { $0 + lengths[$1] }
        return lengths.map { palm > 0 ? $0 / palm : 0 }
    }

    /// The bone factors that give keypoints `rest` (a model's, at rest) the proportions `target`.
    static func factors(_ target: [Double], rest: [SIMD3<Double>]) -> [Double] {
        zip(target, ratios(rest)).map { t, r in r > 0 ? t / r : 1 }
    }
}
