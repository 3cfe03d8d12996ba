import HandModel

/// One hand's fit in one frame: the parameters, the keypoints they give, and how the fit went.
public struct HandFitResult: Sendable, Equatable {
    public var parameters = HandParameters()
    /// 21 keypoints, metres, camera frame.
    public var joints3d = [SIMD3<Double>](repeating: .zero, count: 21)
    /// 21 keypoints projected, pixels.
    public var joints2d = [SIMD2<Double>](repeating: .zero, count: 21)
    /// The track's bone-length factors (`BoneLengths`), which `joints3d` and `vertices` carry.
    public var boneFactors = [Double](repeating: 1, count: BoneLengths.count)
    /// Mesh vertices, metres, camera frame, when the settings ask for them (bones stretched).
    public var vertices: [SIMD3<Double>] = []
    /// LM linearizations (regression is not counted).
    public var iterations = 0
    /// Mean distance of the reported joints' projections to the confident keypoints, pixels.
    public var reprojectionPixels = 0.0
    public var milliseconds = 0.0
    /// Warm-started from the previous frame (false: from the regressor).
    public var warm = false
    /// The data cost of the solution, per confident keypoint.
    public var dataCostPerKeypoint = 0.0

    public init() {}
}
