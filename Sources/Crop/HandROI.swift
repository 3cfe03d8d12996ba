import Foundation

/// A rotated rectangle in frame pixels: the region of the frame a hand crop is taken from.
///
/// `rotation` is in radians, counter-clockwise in MediaPipe's convention: the crop's "up" (towards
/// the fingers) points along (sin r, -cos r) in the frame. ROIs coming out of the detector and the
/// tracker are squares (`width == height`), so that the 224x224 crop has no letterbox.
public struct HandROI: Sendable, Equatable {
    public var centerX: Float
    public var centerY: Float
    public var width: Float
    public var height: Float
    public var rotation: Float

    public init(centerX: Float, centerY: Float, width: Float, height: Float, rotation: Float) {
        self.centerX = centerX
        self.centerY = centerY
        self.width = width
        self.height = height
        self.rotation = rotation
    }

    /// Finite, with a positive size: something a crop can be taken from.
    public var isUsable: Bool {
        centerX.isFinite && centerY.isFinite && rotation.isFinite && width.isFinite && height.isFinite
            && width > 0 && height > 0
    }

    /// The side of a square ROI (the longer side otherwise).
    public var size: Float { max(width, height) }

    /// Crop point (u, v), each in [0, 1] across the ROI, to frame pixels.
    public func framePoint(u: Float, v: Float) -> SIMD2<Float> {
        let x = (u - 0.5) * width, y = (v - 0.5) * height
        let c = cos(rotation), s = sin(rotation)
        return SIMD2(centerX + c * x - s * y, centerY + s * x + c * y)
    }

    /// Grow, shift and square the rectangle: MediaPipe's `RectTransformationCalculator`
    /// (mediapipe/calculators/util/rect_transformation_calculator.cc). The shift is in units of the
    /// rectangle's own width and height, along its rotated axes; squaring uses the longer side.
    public func transformed(scale: Float, shiftX: Float = 0, shiftY: Float = 0, squareLong: Bool) -> HandROI {
        var r = self
        let c = cos(rotation), s = sin(rotation)
        r.centerX += width * shiftX * c - height * shiftY * s
        r.centerY += width * shiftX * s + height * shiftY * c
        var w = width, h = height
        if squareLong {
            let long = max(w, h)
            w = long
            h = long
        }
        r.width = w * scale
        r.height = h * scale
        return r
    }

    /// Intersection over union of the axis-aligned boxes with this ROI's center and size, rotation
    /// ignored, as MediaPipe's `AssociationNormRectCalculator` compares hand rectangles.
    public func axisAlignedIoU(_ other: HandROI) -> Float {
        let ax0 = centerX - width / 2, ay0 = centerY - height / 2
        let bx0 = other.centerX - other.width / 2, by0 = other.centerY - other.height / 2
        let ix0 = max(ax0, bx0), iy0 = max(ay0, by0)
        let ix1 = min(ax0 + width, bx0 + other.width), iy1 = min(ay0 + height, by0 + other.height)
        if ix0 > ix1 || iy0 > iy1 { return 0 }
        let intersection = (ix1 - ix0) * (iy1 - iy0)
        let union = width * height + other.width * other.height - intersection
        return union > 0 ? intersection / union : 0
    }
}

/// Wraps an angle into [-π, π) (`NormalizeRadians` in MediaPipe's rect calculators).
@inlinable
public func normalizeRadians(_ angle: Float) -> Float {
    angle - 2 * Float.pi * ((angle + Float.pi) / (2 * Float.pi)).rounded(.down)
}
