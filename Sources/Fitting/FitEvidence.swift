/// One hand's evidence in the form the refinement uses: pixels in the frame, a confidence per
/// keypoint (zero drops it), and the world landmarks (metres, camera axes, any origin).
public struct FitEvidence: Sendable, Equatable {
    public static let keypointCount = 21
    public var keypoints: [SIMD2<Double>]
    public var confidence: [Double]
    public var world: [SIMD3<Double>]
    /// Whether `world` holds landmarks (false drops the 3D term).
    public var hasWorld: Bool
    /// Which hand: chooses the model side and the regressor's mirroring.
    public var isLeft: Bool
    /// The region of interest the keypoints were found in: centre and side, pixels. The
    /// regressor normalizes keypoints by it.
    public var roiCenter: SIMD2<Double>
    public var roiSize: Double

    public init(keypoints: [SIMD2<Double>], confidence: [Double]? = nil, world: [SIMD3<Double>]?,
                isLeft: Bool = false, roiCenter: SIMD2<Double>? = nil, roiSize: Double? = nil) {
        precondition(keypoints.count == Self.keypointCount, "FitEvidence: \(keypoints.count) keypoints, expected 21")
        self.keypoints = keypoints
        self.confidence = confidence ?? [Double](repeating: 1, count: Self.keypointCount)
        precondition(self.confidence.count == Self.keypointCount, "FitEvidence: confidence count")
        if let w = world {
            precondition(w.count == Self.keypointCount, "FitEvidence: \(w.count) world landmarks, expected 21")
            self.world = w
            hasWorld = true
        } else {
            self.world = [SIMD3<Double>](repeating: .zero, count: Self.keypointCount)
            hasWorld = false
        }
        self.isLeft = isLeft
        if let c = roiCenter, let s = roiSize {
            self.roiCenter = c
            self.roiSize = s
        } else {
            // MediaPipe's landmark ROI is about twice the keypoints' bounding box.
            var lo = keypoints[0], hi = keypoints[0]
            for p in keypoints { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
            self.roiCenter = 0.5 * (lo + hi)
            self.roiSize = max(2 * max(hi.x - lo.x, hi.y - lo.y), 1)
        }
    }
}
