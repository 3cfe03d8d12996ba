/// The scales of the refinement's terms. Every residual is an error divided by its sigma, so a
/// sigma is "how much of this error costs as much as one unit of any other".
public struct FitWeights: Sendable, Equatable {
    /// Reprojection: pixels per unit residual. With `worldSigma` 1 cm this makes 1 cm of
    /// world-landmark error count like 5 px of reprojection error, the balance a prototype on
    /// real MediaPipe evidence measured to keep scale and depth from drifting (shared notes,
    /// fitting-lessons.md).
    public var pixelSigma: Double = 5
    /// Reprojection on warm frames (a track followed from frame to frame), when not nil. Real world
    /// landmarks are far worse than the cold fit's balance assumes (their bones change length by
    /// 18-24% from frame to frame on the stereo clip), so a track trusts its keypoints more. Measured
    /// on the stereo clip, calibrated, against points triangulated from both views (two-pass,
    /// `handmesh eval stereo`, views 0 / 1): 9.34 / 7.81 mm and 15.0 mm cross-view at 5 px, 8.67 /
    /// 8.10 and 13.0 at 4, 8.41 / 8.54 and 12.05 at 3, 8.45 / 9.65 and 12.0 at 2 (before the
    /// landmark proportions and the warm world weights below). Measured again with them
    /// (2026-12-07; whole clip, then held-out frames 252–377, cross-view whole / held out): 3 px
    /// 7.30 / 7.87 and 8.59 / 9.52 mm, 9.26 / 11.08; 3.5 px 7.33 / 7.71 and 8.64 / 9.35, 9.15 /
    /// 10.80; 4 px 7.37 / 7.60 and 8.69 / 9.24, 9.14 / 10.68; 4.5 px 7.42 / 7.53 and 8.76 / 9.17,
    /// 9.18 / 10.65; 5 px 7.46 / 7.47 and 8.83 / 9.13, 9.27 / 10.69; 6 px 7.56 / 7.44 and 8.98 /
    /// 9.17, 9.56 / 10.95, but the mirror images broke down there (cross-view 19.9 mm against 10.0).
    /// 4 px is best on the mean of the two views held out, for files, live runs, the mirror images
    /// and runs without a config alike; view 0 loses 0.07–0.15 mm in each, view 1 gains 0.2–0.3.
    /// Live lag grows with it (`HandFilterSettings.standard`). Cold fits keep 5 px: synthetic
    /// recovery (`handmesh bench fit`) went from 2.82 to 2.94 mm at 4 and 3.15 at 3; its warm frames
    /// read 2.58 mm at 4 px against 2.64 at 3.
    public var warmPixelSigma: Double? = 4
    /// World landmarks (root-relative, metres) per unit residual.
    public var worldSigma: Double = 0.01
    /// Each keypoint's share of the world-landmark term on a cold fit of a video, in MediaPipe's
    /// order: every landmark at full weight. A cold fit has no previous frame, and the network's
    /// world fingers, however distorted (`warmWorldJointWeights`), are the only depth it has for
    /// the joints between MCP and tip. Measured against leaving the PIP and DIP landmarks out
    /// (2026-12-08; stereo clip, calibrated, `handmesh eval stereo`, views 0 / 1 and cross-view,
    /// whole clip then held-out frames 252–377): files 7.41 / 7.54 mm and 8.85 mm (8.75 / 9.18 and
    /// 10.10) against 7.38 / 7.57 and 8.98 (8.69 / 9.15 and 10.15); live 7.58 / 7.52 and 9.51
    /// (9.06 / 9.53 and 11.37) against 7.53 / 7.55 and 9.60 (9.00 / 9.54 and 11.49); the mirror
    /// images 9.15 mm cross-view against 9.47, no config 10.23 against 10.50. Cross-view gains
    /// everywhere, a view's error moves by 0.06 mm or less. Synthetic recovery (`handmesh bench
    /// fit`) goes from 2.63 to 2.34 mm, warm frames from 2.57 to 2.52 with 5.5% of them
    /// re-initialized against 6.7%; on hands at the model's proportions (`--model-proportions`, as
    /// issue 6 measured) from 3.26 to 2.82, #6's own figure. Before warm frames had their own
    /// weights, leaving the PIP and DIP out of every fit had measured better (7.43 / 8.07 mm and 9.8
    /// against 7.69 / 8.44 and 10.0): the warm frames were where it counted. Photos weigh their own
    /// set (`stillImage`).
    public var worldJointWeights = [Double](repeating: 1, count: 21)
    /// The same on warm frames (a track followed from frame to frame), when not nil; photos use
    /// the same set (`stillImage`). The network's world fingers are not the hand's: against the
    /// stereo clip's triangulated points (frames 0–251, each bone over the four palm rays) their
    /// proximal phalanges are 0.39–0.54 times the triangulated ones and their middle ones
    /// 0.94–1.88, with the MCP bend exaggerated and the PIP and DIP bends halved or worse (the middle
    /// finger's DIP 18–29° against 63°); only the tip keeps the digit's reach and its side in depth.
    /// A track has its keypoints, its bones and the previous frame to hold the rest. Measured on the
    /// stereo clip, calibrated (`handmesh eval stereo`, two-pass, views 0 / 1 and cross-view; whole
    /// clip, then held-out frames 252–377): these weights 7.30 / 7.87 mm and 9.26 mm (8.59 / 9.52
    /// and 11.08), against 7.43 / 8.07 and 9.79 (8.64 / 10.21 and 12.34) without the PIP and DIP;
    /// tips at 0.5 7.27 / 7.92 and 9.43 (8.58 / 9.75 and 11.42); the thumb's IP alone out, tips 0.35,
    /// 7.41 / 7.89 and 9.38 (8.63 / 9.69 and 11.56). Cold fits of a video weigh every landmark
    /// (`worldJointWeights`): these weights there took synthetic recovery (`handmesh bench fit`,
    /// whose world landmarks are the true joints with small noise) from 2.63 mm, with the PIP and
    /// DIP left out, to 2.96; warm only, its warm frames went from 2.42 to 2.64 mm, the price of
    /// trusting the real network's fingers less.
    public var warmWorldJointWeights: [Double]? = Self.digitBasesAndTips
    /// World-landmark weights that keep each digit's base (the wrist, the thumb's CMC, the fingers'
    /// MCPs) and weigh its tip at 0.35, leaving out the joints between.
    public static let digitBasesAndTips: [Double] = (0..<21).map {
        [2, 3, 6, 7, 10, 11, 14, 15, 18, 19].contains($0) ? 0 : [4, 8, 12, 16, 20].contains($0) ? 0.35 : 1
    }
    /// Huber threshold of a keypoint's reprojection error, pixels.
    public var pixelHuber: Double = 12
    /// Huber threshold of a keypoint's world-landmark error, metres.
    public var worldHuber: Double = 0.02
    /// Joint limits as soft barriers: radians beyond a limit per unit residual.
    public var limitSigma: Double = 0.03
    /// Closeness of the pose to the regressor's estimate, radians per unit residual: weak, the
    /// regressor only keeps unobserved joints plausible.
    public var regressorPoseSigma: Double = 0.8
    /// Shape coefficients per unit residual (shape is standard-normal under the model's prior).
    public var shapeSigma: Double = 1
    /// Temporal term toward the previous frame: radians of root rotation, radians of joint
    /// rotation, metres of translation per unit residual, per frame.
    public var temporalOrientSigma: Double = 0.08
    public var temporalPoseSigma: Double = 0.12
    public var temporalTranslSigma: Double = 0.01

    public init() {}

    /// A photo on its own: the regressor's pose, a good guess from this one view, holds the joints
    /// that the evidence leaves loose. Its shape keeps the model's prior (sigma 1): a looser one let
    /// a photo bend its proportions toward its evidence (view 1's frames 336–360 of the stereo clip
    /// reached -8.5 in the second coefficient with a 3 sigma, thumbs 50 mm from the video's fit),
    /// and the hand's size already comes from the world landmarks (`HandFitter.initializeSize`).
    /// Measured on every 3rd frame of the stereo clip as photos, against points triangulated from
    /// both views (`handmesh eval stereo`, defaults, views 0 / 1; whole clip, then frames 252–377):
    /// shape sigma 3 read 7.91 / 7.52 mm and 8.26 / 9.60, 2 read 7.60 / 7.31 and 7.85 / 9.35, 1.5
    /// read 7.40 / 7.18 and 7.60 / 9.15, 1 reads 7.25 / 7.10 and 7.48 / 9.01; their mirror images
    /// (left hands, mirrored calibration) 8.06 / 8.00 and 8.27 / 10.03 at 3, 7.49 / 7.47 and 7.78 /
    /// 9.20 at 1; synthetic photos (`scripts/synth-photos`) 14.77 mm at 3, 14.31 at 1. Cold
    /// iterations rise a little (held out 4.58 / 4.12 at 3, 4.92 / 4.93 at 1). Earlier, before the
    /// size from the world landmarks and the landmark network's proportions, sigma 3 had measured
    /// best: 7.91 / 9.44 mm against 10.84 / 11.15 with these weights' defaults. The regressor's
    /// sigma 0.1 to 0.3 came within 0.3 mm of 0.15. The world landmarks as warm frames weigh them
    /// (`digitBasesAndTips`): every 3rd frame of the stereo clip as a photo (calibrated
    /// triangulation, views 0 / 1) read 7.91 / 7.52 mm against 8.08 / 7.96 with
    /// `worldJointWeights`, the held-out frames 252–377 8.26 / 9.60 against 7.99 / 10.08 (worse on
    /// view 0), cross-view 22.7 against 23.9 mm; synthetic photos 14.77 against 14.82 mm; cold
    /// iterations alike (4.10 / 3.56 against 4.08 / 3.58).
    /// Keypoints at 4 px, as warm video frames weigh them (`warmPixelSigma`): photos, whole clip then
    /// held out, read 7.25 / 7.10 and 7.48 / 9.01 mm at 5 px, 7.19 / 7.05 and 7.42 / 8.99 at 4.5,
    /// 7.14 / 7.00 and 7.36 / 8.98 at 4, 7.08 / 6.96 and 7.32 / 8.98 at 3.5, 7.04 / 6.92 and 7.31 /
    /// 9.00 at 3, 7.36 / 7.20 and 7.63 / 9.08 at 6; cross-view 17.08, 16.97, 16.90 and 16.82 mm at 5,
    /// 4, 3.5 and 3 px. Their mirror images (left hands, mirrored calibration) 7.49 / 7.47 and 7.78 /
    /// 9.20 at 5 px, 7.34 / 7.40 and 7.61 / 9.16 at 4 (with `FitSettings.fitStillImages`'s stop);
    /// synthetic photos 14.31 and 14.35 mm. Below 4 px the solves lengthen (held out 6.80 / 7.17
    /// linearizations at 3.5 px with the video's cold options, 6.00 / 6.55 at 4) for 0.05 mm.
    public static var stillImage: FitWeights {
        var w = FitWeights()
        w.pixelSigma = 4
        w.regressorPoseSigma = 0.15
        w.worldJointWeights = digitBasesAndTips
        // Never warm; said here as photos were measured with it.
        w.warmPixelSigma = nil
        w.warmWorldJointWeights = nil
        return w
    }
}
