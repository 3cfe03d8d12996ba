/// One palm found by the detector: a box, seven keypoints and a score.
///
/// Coordinates are normalized: to the detector's 192x192 input while decoding, to the frame once
/// the letterbox is removed. Keypoints are held inline (no heap storage), so arrays of detections
/// can be refilled every frame without allocating. Keypoint 0 is the wrist, 2 the middle finger's
/// base (the pair that sets the hand's rotation).
public struct PalmDetection: Sendable, Equatable {
    public static let keypointCount = 7

    public var score: Float
    public var xmin: Float
    public var ymin: Float
    public var width: Float
    public var height: Float
    /// x0, y0, x1, y1, … x6, y6 in the first 14 lanes.
    public var keypointStorage: SIMD16<Float>

    public init(score: Float, xmin: Float, ymin: Float, width: Float, height: Float,
                keypointStorage: SIMD16<Float> = .zero) {
        self.score = score
        self.xmin = xmin
        self.ymin = ymin
        self.width = width
        self.height = height
        self.keypointStorage = keypointStorage
    }

    public func keypoint(_ i: Int) -> SIMD2<Float> {
        SIMD2(keypointStorage[2 * i], keypointStorage[2 * i + 1])
    }

    public mutating func setKeypoint(_ i: Int, _ p: SIMD2<Float>) {
        keypointStorage[2 * i] = p.x
        keypointStorage[2 * i + 1] = p.y
    }

    public var xmax: Float { xmin + width }
    public var ymax: Float { ymin + height }

    /// Intersection over union of the two boxes, 0 when they don't meet
    /// (`OverlapSimilarity` with INTERSECTION_OVER_UNION in non_max_suppression_calculator.cc).
    public func iou(_ other: PalmDetection) -> Float {
        let ix0 = max(xmin, other.xmin), iy0 = max(ymin, other.ymin)
        let ix1 = min(xmax, other.xmax), iy1 = min(ymax, other.ymax)
        if ix0 > ix1 || iy0 > iy1 { return 0 }
        let intersection = (ix1 - ix0) * (iy1 - iy0)
        let union = width * height + other.width * other.height - intersection
        return union > 0 ? intersection / union : 0
    }
}
