/// The jitter filter on a hand's reported parameters: One Euro filters (Casiez et al., CHI 2012)
/// in parameter space, one for the joint and root rotations (radians) and one for the
/// translation (metres), since their speeds are in different units. Shape is the track's and
/// already steady. The filter only shapes what is reported: warm starts use the unfiltered fit.
public struct HandFilterSettings: Sendable, Equatable {
    public var rotation: OneEuroParameters
    public var translation: OneEuroParameters
    /// After filtering, shift the hand sideways (at its filtered depth) onto the frame's keypoints,
    /// so that the filter's lag does not show in the image.
    public var anchorsToKeypoints: Bool

    public init(rotation: OneEuroParameters, translation: OneEuroParameters, anchorsToKeypoints: Bool) {
        self.rotation = rotation
        self.translation = translation
        self.anchorsToKeypoints = anchorsToKeypoints
    }

    /// Tuned on the stereo-hand clip with the paper's procedure (beta 0, lower the minimum
    /// cutoff until still jitter is acceptable, then raise beta until lag is acceptable):
    /// rotations minCutoff 2 Hz, beta 1.7 per rad/s (a finger turning at 3 rad/s is filtered at
    /// 7 Hz), since retuned (below); translation minCutoff 2 Hz, beta 60 per m/s (a hand moving at
    /// 0.2 m/s, 14 Hz); then anchored to the keypoints. A first-order low-pass at fc lags by
    /// 1/(2 pi fc): 0.8 frames at 30 fps at 2 Hz, less in motion. Measured on the calibrated clip run causal (`handmesh eval
    /// stereo`, views 0 / 1, jitter of centroid-relative joints and lag behind the world
    /// landmarks): beta 4, 1.62 / 1.94 mm and 0.26 / 0.34 frames; beta 2, 1.50 / 1.72 mm and 0.35 /
    /// 0.46; beta 1.7, 1.46 / 1.69 mm and 0.38 / 0.49; beta 1.5 (minCutoff 2.3), 1.44 / 1.65 mm and
    /// 0.38 / 0.49. A constant-velocity Kalman filter (`TrackSmoother` with lag 0) did worse: 1.85 /
    /// 2.11 mm at 0.32 / 0.35 frames, 1.41 / 1.60 mm at 0.78 / 0.87.
    /// With the bones at the landmark network's proportions (`FitSettings.landmarkProportions`),
    /// beta 1.7 lagged 0.36 / 0.52 frames (1.48 / 1.56 mm); beta 2 gave 0.34 / 0.48 (1.52 / 1.61
    /// mm), beta 2.3 0.31 / 0.45 (1.56 / 1.65), minCutoff 2.5 with beta 1.7 0.34 / 0.47 (1.51 /
    /// 1.60), and minCutoff 2.3 with beta 2, then taken, 0.32 / 0.45 frames and 1.54 / 1.63 mm.
    /// With warm frames' keypoints at 4 px (`FitWeights.warmPixelSigma`, 2026-12-07) beta 2 lagged
    /// 0.38 / 0.55 frames (1.44 / 1.54 mm); beta 2.5 0.35 / 0.48 (1.49 / 1.60), minCutoff 2.6 with
    /// beta 2.5 0.33 / 0.46 (1.51 / 1.62), and beta 3, taken, 0.32 / 0.45 frames and 1.53 / 1.65 mm
    /// (held-out frames 252–377: 0.31 / 0.48).
    /// That lagged the filtered fits of #6 (7965170, measured in the same session by the same
    /// command on its own records: 1.64 / 1.67 mm and 0.29 / 0.40 frames). The speed estimate's own
    /// cutoff (the paper's 1 Hz) held the cutoff low for the first frames of a motion; at 2 Hz the
    /// same jitter comes with less lag: beta 2 gave 1.54 / 1.63 mm and 0.30 / 0.40 frames, 2.2 1.56 /
    /// 1.65 and 0.29 / 0.38, 2.3, taken, 1.57 / 1.66 and 0.28 / 0.38 (held out 0.28 / 0.41), 2.5 1.59
    /// / 1.68 and 0.27 / 0.37, 3 1.63 / 1.73 and 0.25 / 0.34; at 0.5 Hz beta 3 gave 1.40 / 1.50 and
    /// 0.46 / 0.65; at 4 Hz beta 1.5 1.54 / 1.64 and 0.29 / 0.41. With the 1 Hz estimate, beta 4
    /// read 1.60 / 1.70 mm and 0.29 / 0.39, minCutoff 3 with beta 3 1.56 / 1.66 and 0.30 / 0.41. Taking
    /// each joint's speed as the norm over its three values (not each value's own) changed nothing
    /// (beta 1.5 at 2 Hz: 1.54 / 1.63 mm, 0.30 / 0.40 frames). The mirror images run causal (a left
    /// hand live) lagged 0.40 / 0.58 frames at 1.48 / 1.60 mm before, 0.34 / 0.45 at 1.51 / 1.65 now.
    public static let standard = HandFilterSettings(rotation: OneEuroParameters(minCutoff: 2.3, beta: 2.3, derivativeCutoff: 2),
                                                    translation: OneEuroParameters(minCutoff: 2, beta: 60),
                                                    anchorsToKeypoints: true)

    /// For fits to a silhouette alone (mask-only streams): the outline, not the mask regressor's
    /// rough keypoints, places the hand, so there is no anchoring. Measured on `handmesh synth` clips,
    /// seeds 1–3 (`scripts/eval-synth`, `handmesh eval mask`): joint jitter 1.7 / 2.9 / 1.4 mm against
    /// 3.1 / 4.8 / 2.6 unfiltered; a rotation beta of 1 (1.2 / 2.1 / 1.0 mm) lagged enough to cost
    /// 0.03 of mesh-to-mask IoU (0.83 / 0.81 / 0.87 against 0.85 / 0.84 / 0.90 with beta 4).
    /// Since warm mask tracks restart when they lose the mask (issue 14), the minimum cutoff is 6 Hz
    /// (lag 0.27 frames at rest): seeds 1–3 IoU 0.907 / 0.909 / 0.925 against 0.885 / 0.882 / 0.904 at
    /// 2 Hz, jitter 4.2 / 4.0 / 1.4 mm against 4.0 / 3.5 / 1.3; the stereo clip's masks with the arm
    /// 0.867 against 0.846 (10 Hz: 0.915 / 0.923 / 0.933 and 4.4 / 3.7 / 1.6 mm).
    public static let silhouette = HandFilterSettings(rotation: OneEuroParameters(minCutoff: 6, beta: 4),
                                                      translation: OneEuroParameters(minCutoff: 6, beta: 60),
                                                      anchorsToKeypoints: false)
}
