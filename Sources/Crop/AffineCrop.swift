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

    /// Fills `tensor` (at least outputWidth * outputHeight * 3 floats) from `roi` of `image`.
    public func sample(_ image: RGBImageView, roi: HandROI, into tensor: UnsafeMutableBufferPointer<Float>) {
        precondition(tensor.count >= outputWidth * outputHeight * 3, "AffineCrop: tensor too small")
        precondition(image.width > 0 && image.height > 0, "AffineCrop: empty image")
        guard roi.isUsable else {
            // Nothing sensible to sample; a black tensor makes the models report no hand.
            tensor.update(repeating: 0)
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

        let src = image.base.assumingMemoryBound(to: UInt8.self)
        let maxX = image.width - 1, maxY = image.height - 1
        let rowBytes = image.rowBytes
        let zeroBorder = border == .zero
        var out = tensor.baseAddress!
        let q = Self.subpixelSteps
        // Adding and subtracting 1.5 * 2^52 rounds a double to the nearest integer, ties to even
        // (cvRound), in two additions: the default x86-64 target has no SSE4.1 round instruction
        // and `rounded()` would be a libm call per coordinate.
        let magic = 6755399441055744.0
        let limit = 1e9  // far off the frame: keeps the Int conversion in range
        let toUnit: Float = 1 / 255
        for j in 0..<outputHeight {
            let jd = Double(j)
            let rowX = m01 * jd + m02, rowY = m11 * jd + m12
            for i in 0..<outputWidth {
                let id = Double(i)
                let sx = min(max((m00 * id + rowX) * q, -limit), limit)
                let sy = min(max((m10 * id + rowY) * q, -limit), limit)
                let xq = Int((sx + magic) - magic), yq = Int((sy + magic) - magic)
                let x0 = xq >> 5, y0 = yq >> 5
                let ax = Float(xq & 31) * (1 / 32), ay = Float(yq & 31) * (1 / 32)
                let w00 = (1 - ax) * (1 - ay), w01 = ax * (1 - ay)
                let w10 = (1 - ax) * ay, w11 = ax * ay
                var r: Float = 0, g: Float = 0, b: Float = 0
                if x0 >= 0 && y0 >= 0 && x0 < maxX && y0 < maxY {
                    // All four taps inside: the common case.
                    let p = src + y0 * rowBytes + x0 * 3
                    let p2 = p + rowBytes
                    r = w00 * Float(p[0]) + w01 * Float(p[3]) + w10 * Float(p2[0]) + w11 * Float(p2[3])
                    g = w00 * Float(p[1]) + w01 * Float(p[4]) + w10 * Float(p2[1]) + w11 * Float(p2[4])
                    b = w00 * Float(p[2]) + w01 * Float(p[5]) + w10 * Float(p2[2]) + w11 * Float(p2[5])
                } else {
                    // Edge pixels: each tap is clamped or zeroed on its own, as cv::remap does.
                    @inline(__always) func tap(_ x: Int, _ y: Int, _ wt: Float) {
                        var x = x, y = y
                        if zeroBorder {
                            if x < 0 || y < 0 || x > maxX || y > maxY { return }
                        } else {
                            x = min(max(x, 0), maxX)
                            y = min(max(y, 0), maxY)
                        }
                        let p = src + y * rowBytes + x * 3
                        r += wt * Float(p[0])
                        g += wt * Float(p[1])
                        b += wt * Float(p[2])
                    }
                    tap(x0, y0, w00)
                    tap(x0 + 1, y0, w01)
                    tap(x0, y0 + 1, w10)
                    tap(x0 + 1, y0 + 1, w11)
                }
                // 8-bit result as OpenCV's fixed-point remap rounds it (half up; values are >= 0, so
                // truncating v + 0.5 does it), then to [0, 1] as convertTo scales: times 1/255.
                out[0] = Float(Int32(r + 0.5)) * toUnit
                out[1] = Float(Int32(g + 0.5)) * toUnit
                out[2] = Float(Int32(b + 0.5)) * toUnit
                out += 3
            }
        }
    }
}
