import CKernels
import Foundation

/// What a crop reads where its rectangle leaves the frame.
public enum BorderMode: Sendable {
    /// Black: the palm detector's letterbox (`border_mode: BORDER_ZERO` in
    /// mediapipe/modules/palm_detection/palm_detection_cpu.pbtxt).
    case zero
    /// The nearest edge pixel: the landmark crop, whose ImageToTensorCalculator in
    /// mediapipe/modules/hand_landmark/hand_landmark_cpu.pbtxt leaves border_mode unspecified, which
    /// `GetBorderMode` (image_to_tensor_utils.cc) maps to replicate.
    case replicate
}

/// A borrowed view of an RGB24 frame (row-major, 3 bytes a pixel, `rowBytes` apart). Valid only
/// inside the closure that lent the pointer, e.g. `PixelBuffer.withUnsafeBytes`.
public struct RGBImageView {
    public let base: UnsafeRawPointer
    public let width: Int
    public let height: Int
    public let rowBytes: Int

    public init(base: UnsafeRawPointer, width: Int, height: Int, rowBytes: Int) {
        self.base = base
        self.width = width
        self.height = height
        self.rowBytes = rowBytes
    }
}

/// Warps a rotated rectangle of a frame onto a tensor: MediaPipe's CPU `ImageToTensorCalculator`
/// (image_to_tensor_converter_opencv.cc), reproduced without OpenCV and without copying the frame.
///
/// The rectangle's corners map onto the tensor's corners (top-left corner to (0, 0), bottom-right
/// to (width, height)) and output pixel (i, j) samples the source at the image of the point (i, j),
/// as `cv::warpPerspective` does. Sampling is bilinear with OpenCV's fixed-point rounding
/// (coordinates to 1/32 pixel, values rounded to 8 bits), so the tensor matches MediaPipe's to the
/// last bit wherever the geometry does. Values are scaled to [0, 1], the `output_tensor_float_range`
/// of both hand models. Output layout: NHWC, RGB.
public struct AffineCrop: Sendable {
    public let outputWidth: Int
    public let outputHeight: Int
    public let border: BorderMode

    /// OpenCV's INTER_BITS: warpPerspective quantizes source coordinates to 1/32 pixel.
    static let subpixelSteps: Double = 32

    public init(outputWidth: Int, outputHeight: Int, border: BorderMode) {
        self.outputWidth = outputWidth
        self.outputHeight = outputHeight
        self.border = border
    }

    /// Fills `tensor` (at least outputWidth * outputHeight * 3 floats) from `roi` of `image`: all of
    /// it, or only the output rows `rows` (so that threads can share one crop; each row's values are
    /// the same either way).
    public func sample(_ image: RGBImageView, roi: HandROI, into tensor: UnsafeMutableBufferPointer<Float>,
                       rows: Range<Int>? = nil) {
        precondition(tensor.count >= outputWidth * outputHeight * 3, "AffineCrop: tensor too small")
        precondition(image.width > 0 && image.height > 0, "AffineCrop: empty image")
        let rows = (rows ?? 0..<outputHeight).clamped(to: 0..<outputHeight)
        guard roi.isUsable else {
            // Nothing sensible to sample; a black tensor makes the models report no hand.
            let rowFloats = outputWidth * 3
            UnsafeMutableBufferPointer(rebasing: tensor[rows.lowerBound * rowFloats..<rows.upperBound * rowFloats]).update(repeating: 0)
            return
        }
        // Tensor (i, j) -> source: center + R(rotation) * ((i / W - 0.5) * w, (j / H - 0.5) * h).
        let c = Double(cos(roi.rotation)), s = Double(sin(roi.rotation))
        let w = Double(roi.width), h = Double(roi.height)
        let ow = Double(outputWidth), oh = Double(outputHeight)
        let m00 = c * w / ow, m01 = -s * h / oh
        let m10 = s * w / ow, m11 = c * h / oh
        let m02 = Double(roi.centerX) - c * w / 2 + s * h / 2
        let m12 = Double(roi.centerY) - s * w / 2 - c * h / 2

        // The sampling loop is CKernels' (AVX2, eight pixels at a time, bit for bit the scalar rule).
        let matrix = (m00, m01, m02, m10, m11, m12)
        withUnsafePointer(to: matrix) { m in
            m.withMemoryRebound(to: Double.self, capacity: 6) { m in
                handmesh_affine_crop(image.base.assumingMemoryBound(to: UInt8.self), image.width, image.height, image.rowBytes, m,
                                     border == .zero ? 1 : 0, outputWidth, rows.lowerBound, rows.upperBound, tensor.baseAddress!)
            }
        }
    }
}
