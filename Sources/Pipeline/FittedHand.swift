import Records

/// What the fitting stage made of one hand, in the records' units (radians, metres, pixels) and
/// precision: fixed-size inline arrays, so a fit costs no heap. Only `vertices`, which a stream asks
/// for (`vertices = true`), is an ordinary array.
public struct FittedHand: Sendable {
    /// The person's hand, as the fit decided it (the header's `mirrored` says how the image shows it).
    public var handedness: Records.Handedness
    /// Probability that `handedness` is right (the track's side vote; a mask stream's is its word, 1).
    public var handednessScore: Float
    public var globalOrient = SIMD3<Float>.zero
    /// MANO's 15 joints, axis-angle each.
    public var pose = [45 of Float](repeating: 0)
    public var shape = [10 of Float](repeating: 0)
    /// The track's bone-length factors (`BoneLengths`), which `joints3d` and `vertices` carry.
    public var boneFactors = [20 of Float](repeating: 1)
    public var transl = SIMD3<Float>.zero
    /// Camera space, metres.
    public var joints3d = [21 of SIMD3<Float>](repeating: .zero)
    /// `joints3d` projected into the frame, pixels.
    public var joints2d = [21 of SIMD2<Float>](repeating: .zero)
    /// V × [x, y, z], camera space, metres; nil unless the stream asks for them.
    public var vertices: [Float]?
    /// Iterations, reprojection error, time, warm or cold, mask IoU.
    public var summary: FitSummary

    public init(handedness: Records.Handedness, handednessScore: Float,
                summary: FitSummary = FitSummary(iterations: 0, reprojectionPixels: 0, milliseconds: 0, warm: false)) {
        self.handedness = handedness
        self.handednessScore = handednessScore
        self.summary = summary
    }
}
