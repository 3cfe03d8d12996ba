/// The jitter filter on a hand's reported parameters: One Euro filters (Casiez et al., CHI 2012)
/// in parameter space, one for the joint and root rotations (radians) and one for the
/// translation (metres), since their speeds are in different units. Shape is the track's and
/// already steady. The filter only shapes what is reported: warm starts use the unfiltered fit.
public struct HandFilterSettings: Sendable, Equatable {
    public var rotation: OneEuroParameters
    public var translation: OneEuroParameters

    public init(rotation: OneEuroParameters, translation: OneEuroParameters) {
        self.rotation = rotation
        self.translation = translation
    }

    /// Tuned on the stereo-hand clip with the paper's procedure (beta 0, lower the minimum
    /// cutoff until still jitter is acceptable, then raise beta until lag is acceptable):
    /// rotations minCutoff 2 Hz, beta 1 per rad/s (a finger turning at 3 rad/s is filtered at
    /// 5 Hz); translation minCutoff 2 Hz, beta 60 per m/s (a hand moving at 0.2 m/s, 14 Hz).
    /// A first-order low-pass at fc lags by 1/(2 pi fc): 0.8 frames at 30 fps at 2 Hz, less in
    /// motion. Measured by `handmesh eval fit` (jitter and lag, with and without the filter).
    public static let standard = HandFilterSettings(rotation: OneEuroParameters(minCutoff: 2, beta: 1),
                                                    translation: OneEuroParameters(minCutoff: 2, beta: 60))

    /// For fits to a silhouette alone (mask-only streams): the outline holds each frame's fit in
    /// place, so the rotations follow motion faster (beta 4). Measured on `handmesh synth` clips,
    /// seeds 1–3 (`scripts/eval-synth`, `handmesh eval mask`): joint jitter 1.7 / 2.9 / 1.4 mm against
    /// 3.1 / 4.8 / 2.6 unfiltered and 1.2 / 2.1 / 1.0 with `standard`, whose lag costs 0.03 of
    /// mesh-to-mask IoU (0.83 / 0.81 / 0.87 against 0.85 / 0.84 / 0.90 here).
    public static let silhouette = HandFilterSettings(rotation: OneEuroParameters(minCutoff: 2, beta: 4),
                                                      translation: OneEuroParameters(minCutoff: 2, beta: 60))
}
