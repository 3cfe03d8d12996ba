/// How a hand is fitted.
public struct FitSettings: Sendable, Equatable {
    public var camera: PinholeCamera
    public var weights = FitWeights()
    /// Warm starts begin at the optimum's neighbourhood: a few Gauss–Newton steps suffice.
    /// Four rejected steps in a row mean the fit sits at its noise floor. Measured with the silhouette
    /// term (`handmesh bench silhouette`, and RGB + mask on a synthetic clip): uncapped, warm solves
    /// spent all 8 evaluations on 3 steps (+2.0 ms); a cap of 2 saved 0.4 ms but lost 0.04 of the
    /// mask IoU gain; 4 keeps all but 0.01 of it.
    public var warmOptions = LMOptions(maxIterations: 8, relativeCostTolerance: 1e-3, stepTolerance: 1e-4, initialDamping: 1e-4,
                                       maxConsecutiveRejections: 4)
    /// Warm starts without the temporal term (two-pass files): nothing holds the solve near the
    /// previous frame, so a Gauss–Newton step from there overshoots along the evidence's weak
    /// directions; at warmOptions' damping four rejections in a row then end the solve where it
    /// began, and the fit drifts frame after frame (measured on a synthetic sequence,
    /// SolverConvergenceTests: data cost 4 times its optimum's). Starting damped and allowing a few
    /// more steps comes within 9% of an unlimited solve (with the temporal term: 1.5%).
    /// With the bones at the landmark network's proportions (`landmarkProportions`) that cap of 12
    /// steps and 4 rejections left the synthetic sequence 27% above its optimum's data cost; 24 and
    /// 12 leave 6% (16 and 8: 12%). Real fits stop well before either cap: on the stereo clip (two
    /// passes, both views) 4.6 steps a frame on average, the figures and the median fit time
    /// (0.39 ms) unchanged. With warm keypoints at 4 px (`FitWeights.warmPixelSigma`, 2026-12-07)
    /// 24 and 12 left 11.4% (joints 2.83 mm from the truth, the unlimited solve 3.08); 32 and 16
    /// leave 7.5% (2.78 mm), and the stereo clip's two-pass figures are the same to 0.01 mm.
    public var warmOptionsWithoutTemporal = LMOptions(maxIterations: 32, relativeCostTolerance: 1e-3, stepTolerance: 1e-4,
                                                      initialDamping: 0.1, maxConsecutiveRejections: 16)
    /// Cold starts also stop once a barely damped step lowers the cost by less than 0.01
    /// (`LMOptions.absoluteCostTolerance`). The cost is half a chi-square: a fit one standard
    /// deviation from its optimum along any direction costs 0.5 more, so what is left after such a
    /// step (about as much again, at the solver's linear rate there) is far inside the noise. The
    /// relative test alone (1e-5 of a cost of about 40 on real photos: 4e-4) spent one or two more
    /// linearizations on it. Measured on every third frame of the stereo clip as photos, views 0 / 1
    /// (with `HandFitter.initializeSize`): 6.22 / 5.20 linearizations a cold start before, 4.58 /
    /// 3.94 after; PA-MPJPE against triangulated points 10.70 / 9.69 mm before, 10.69 / 9.69 after;
    /// the joints 0.14 / 0.12 mm from an unlimited solve's on average (0.05 / 0.03 before).
    /// `handmesh bench fit`: 2.82 mm either way, cold iterations median 7 before, 4 after. 0.02
    /// saved another 0.3 iterations on view 0 and left the joints 0.18 mm from the optimum.
    public var coldOptions = LMOptions(maxIterations: 40, relativeCostTolerance: 1e-5, stepTolerance: 1e-6, initialDamping: 1e-3,
                                       absoluteCostTolerance: 0.01)
    /// The temporal term toward the previous frame (warm frames only).
    public var temporal = true
    /// A cold start takes the hand's size from the world landmarks before the solve
    /// (`HandFitter.initializeSize`): right for a landmark network's, which measure the hand.
    public var sizeFromWorld = true
    /// The jitter filter on the reported parameters; nil switches it off.
    public var filter: HandFilterSettings? = .standard
    /// Estimate the track's shape and world scale online (otherwise they stay at their start).
    public var estimateShape = true
    /// Per-track bone lengths beyond the shape space (`BoneLengths`). Off where the mesh itself is
    /// what is fitted (a silhouette): the term draws the model's own bones.
    public var estimateBoneLengths = true
    /// The bone lengths start at, and are held near, the landmark network's proportions
    /// (`HandModel.landmarkBoneFactors`) rather than the model's own: the keypoints are a landmark
    /// network's. Measured on the stereo clip, calibrated, against points triangulated from both
    /// views (`handmesh eval stereo`, two-pass; views 0 / 1 and cross-view over the whole clip, then
    /// over the held-out frames 252–377, whose proportions were not measured): 7.43 / 8.07 mm and
    /// 9.8 mm (8.64 / 10.21 and 12.3); with the model's own at the same prior, 9.65 / 9.55 and 13.1
    /// (9.56 / 11.44 and 16.3). Photos (every third frame, each on its own) gain too: 8.08 / 7.96 mm
    /// against 9.97 / 9.39 before, 7.99 / 10.08 against 9.07 / 10.96 on the held-out frames.
    public var landmarkProportions = true
    /// Re-initialize cold when a warm fit's data cost per keypoint exceeds this multiple of the
    /// track's running level (a prototype re-initialized about 7% of frames on real data). The cost is
    /// the judged one (`HandFitter.judgedCost`); since it leaves out the world landmarks' orientation,
    /// and with it their rotation error, its level sits lower and 4 fired more often: `handmesh bench
    /// fit` re-initialized 8.7% of warm frames at 4 (7.0% before), 6.7% at 5, 5.3% at 6, with warm
    /// frames 2.58, 2.57 and 2.56 mm (since cold fits weigh every world landmark,
    /// `FitWeights.worldJointWeights`: 5.5% at 5, 2.52 mm). The stereo clip (files, live, mirror images, no config) reads
    /// the same at 4 and 5 to 0.01 mm and at 3 to 0.03; at 2 it tries cold fits where none is needed
    /// and view 1 loses 0.15–0.6 mm.
    public var jumpFactor = 5.0
    /// ... and exceeds this absolute level (cost units per keypoint: 0.5 = one sigma).
    public var jumpFloor = 1.0
    /// Warm frames too hold the pose near the regressor's estimate of that frame, with this sigma
    /// (radians); nil leaves warm frames to the evidence and the temporal term. The regressor sees
    /// all 21 keypoints at once and knows which hands are plausible, where the refinement follows
    /// each landmark's error. Measured on the stereo clip against points triangulated from both
    /// views (`handmesh eval fit`, view 0, calibrated, causal): 10.10 mm without, 10.00 at 0.8, 9.76
    /// at 0.3, 9.16 at 0.15 and 0.1, 9.59 at 0.06; cross-view from 22.6 to 18.9 mm at 0.15, 15.5 at
    /// 0.1. With two-pass smoothing and 3 px warm reprojection (`handmesh eval stereo`, views 0 / 1):
    /// 0.15 gave 8.42 / 8.42 mm and 12.1 mm cross-view, 0.1 gave 8.80 / 8.26 and 13.5, 0.07 gave
    /// 9.60 / 7.87 and 14.5.
    public var warmRegressorPoseSigma: Double? = 0.15
    /// Warm frames take the world landmarks' orientation as evidence only within this angle
    /// (radians) of the track's (the previous frame's fit); beyond it they are turned onto the track
    /// first and weigh the articulation alone. nil always takes it. The network's world hand turns
    /// away from the hand for many frames at a time (view 0 of the stereo clip, frames 326–345: 49
    /// mm from the fit, 15 once turned), and a warm fit leaned toward it. Measured on the stereo
    /// clip (`handmesh eval stereo`, views 0 / 1; whole clip and cross-view, then frames 252–377),
    /// files: nil 7.36 / 7.60 mm and 9.14 (8.69 / 9.24 and 10.67); 0.5 7.38 / 7.57 and 8.98 (8.69 /
    /// 9.15 and 10.15); 0.3 7.37 / 7.62 and 8.96 (8.68 / 9.29 and 9.81); 0.15 7.36 / 7.55 and 8.72
    /// (8.71 / 9.29 and 9.86); 0 (always turned) 7.35 / 7.53 and 8.65 (8.72 / 9.30 and 9.80). The
    /// mirror images: nil 7.42 / 7.80 and 9.67 (8.48 / 9.74 and 11.35), 0.5 7.42 / 7.74 and 9.47
    /// (8.48 / 9.52 and 10.56). Without a calibration (the assumed camera) the orientation from the
    /// keypoints is poorer and turning often costs: cross-view 10.41 mm at nil, 10.50 at 0.5, 10.57
    /// at 0. `handmesh bench fit`'s world landmarks turn by 4° (sigma): 0.5 leaves its warm frames
    /// as they were (2.57 mm), 0 takes them to 2.62. So only a gross disagreement counts.
    public var worldOrientationLimit: Double? = 0.5
    /// Report the mesh vertices too.
    public var includeVertices = false

    public init(camera: PinholeCamera) { self.camera = camera }

    /// A fitter for photos, each fitted on its own: no temporal term, `FitWeights.stillImage`, and
    /// a cold solve that stops once a step within a tenth of Gauss–Newton's (`barelyDampedLimit`)
    /// lowers the cost by less than 0.05. With photos' keypoints at 4 px their residuals stay large
    /// at the optimum and the damping creeps over the video's limit: on every third frame of the
    /// stereo clip as photos, the held-out frames 252–377 took 6.00 / 6.55 linearizations (views
    /// 0 / 1) with the video's cold options, against 4.92 / 4.93 at 5 px; with these 4.78 / 4.50, the
    /// joints within 0.01 mm of the video options' (PA-MPJPE against triangulated points: whole clip
    /// 7.13 / 7.01 against 7.14 / 7.00, held out 7.37 / 8.99 against 7.36 / 8.98). A damping limit of
    /// 0.01 gave 4.88 / 4.69; a tolerance of 0.02 or 0.03 left 5.35 / 5.21 and 5.08 / 5.12.
    public mutating func fitStillImages() {
        temporal = false
        weights = .stillImage
        coldOptions.absoluteCostTolerance = 0.05
        coldOptions.barelyDampedLimit = 0.1
    }

    /// A fitter beside a mask: warm frames keep the balance of keypoints and outline measured with
    /// it (the cold fits'), and the model's own bones, which the outline term draws, so the reported
    /// mesh is the one fitted.
    public mutating func fitBesideAMask() {
        weights.warmPixelSigma = nil
        estimateBoneLengths = false
    }
}
