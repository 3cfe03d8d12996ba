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
    public var coldOptions = LMOptions(maxIterations: 40, relativeCostTolerance: 1e-5, stepTolerance: 1e-6, initialDamping: 1e-3)
    /// The temporal term toward the previous frame (warm frames only).
    public var temporal = true
    /// The jitter filter on the reported parameters; nil switches it off.
    public var filter: HandFilterSettings? = .standard
    /// Estimate the track's shape and world scale online (otherwise they stay at their start).
    public var estimateShape = true
    /// Re-initialize cold when a warm fit's data cost per keypoint exceeds this multiple of the
    /// track's running level (a prototype re-initialized about 7% of frames on real data).
    public var jumpFactor = 4.0
    /// ... and exceeds this absolute level (cost units per keypoint: 0.5 = one sigma).
    public var jumpFloor = 1.0
    /// Report the mesh vertices too.
    public var includeVertices = false

    public init(camera: PinholeCamera) { self.camera = camera }
}
