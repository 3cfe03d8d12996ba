/// The padding `ImageToTensorCalculator` adds when `keep_aspect_ratio` fits a frame into a square
/// tensor, as fractions of the padded side: MediaPipe's `PadRoi`
/// (mediapipe/calculators/tensor/image_to_tensor_utils.cc).
public struct Letterbox: Sendable, Equatable {
    public var left: Float
    public var top: Float
    public var right: Float
    public var bottom: Float
    /// The padded source rectangle that is warped onto the whole tensor.
    public var roi: HandROI

    /// The letterbox for a whole frame into a `tensorWidth` x `tensorHeight` tensor.
    public init(frameWidth: Int, frameHeight: Int, tensorWidth: Int, tensorHeight: Int) {
        let tensorAspect = Float(tensorHeight) / Float(tensorWidth)
        let w = Float(frameWidth), h = Float(frameHeight)
        let frameAspect = h / w
        var horizontal: Float = 0, vertical: Float = 0
        var newWidth: Float, newHeight: Float
        if tensorAspect > frameAspect {
            newWidth = w
            newHeight = w * tensorAspect
            vertical = (1 - frameAspect / tensorAspect) / 2
        } else {
            newWidth = h / tensorAspect
            newHeight = h
            horizontal = (1 - tensorAspect / frameAspect) / 2
        }
        left = horizontal
        right = horizontal
        top = vertical
        bottom = vertical
        roi = HandROI(centerX: w / 2, centerY: h / 2, width: newWidth, height: newHeight, rotation: 0)
    }

    /// Tensor-normalized detection to frame-normalized (`DetectionLetterboxRemovalCalculator`).
    public func removing(from d: PalmDetection) -> PalmDetection {
        let sx = 1 - left - right, sy = 1 - top - bottom
        var r = d
        r.xmin = (d.xmin - left) / sx
        r.ymin = (d.ymin - top) / sy
        r.width = d.width / sx
        r.height = d.height / sy
        for k in 0..<PalmDetection.keypointCount {
            let p = d.keypoint(k)
            r.setKeypoint(k, SIMD2((p.x - left) / sx, (p.y - top) / sy))
        }
        return r
    }
}
