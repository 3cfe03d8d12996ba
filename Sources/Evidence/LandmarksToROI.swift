import Crop
import Foundation

/// This frame's landmarks to the next frame's hand ROI: MediaPipe's
/// mediapipe/modules/hand_landmark/hand_landmark_landmarks_to_roi.pbtxt, i.e.
/// `HandLandmarksToRectCalculator` then `RectTransformationCalculator` (scale 2.0, shift_y -0.1,
/// square_long).
public enum LandmarksToROI {
    /// The landmarks the rectangle is built from: wrist, thumb base and the base two joints of each
    /// finger, but no fingertips, which move fastest (`kPartialLandmarkIndices` in
    /// mediapipe/modules/hand_landmark/calculators/hand_landmarks_to_rect_calculator.cc).
    public static let partial = [0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18]
    /// Rotation: wrist to the mean of the middle finger's base and the mean of the index and ring
    /// fingers' bases; the calculator's kIndexFingerPIPJoint 4, kMiddleFingerPIPJoint 6 and
    /// kRingFingerPIPJoint 8 index the partial list, i.e. landmarks 5, 9 and 13.
    public static let wrist = 0, indexBase = 5, middleBase = 9, ringBase = 13
    /// scale_x = scale_y 2.0, shift_y -0.1, square_long (hand_landmark_landmarks_to_roi.pbtxt).
    public static let scale: Float = 2.0
    public static let shiftY: Float = -0.1

    /// `landmarks` in frame pixels.
    public static func roi(from landmarks: [21 of SIMD2<Float>]) -> HandROI {
        let p0 = landmarks[wrist]
        let p1 = ((landmarks[indexBase] + landmarks[ringBase]) / 2 + landmarks[middleBase]) / 2
        // The rectangle's "up" runs from the wrist towards the knuckles (target angle 90°).
        let rotation = normalizeRadians(Float.pi / 2 - atan2(-(p1.y - p0.y), p1.x - p0.x))

        var lo = SIMD2<Float>(repeating: .infinity), hi = SIMD2<Float>(repeating: -.infinity)
        for i in partial {
            lo = pointwiseMin(lo, landmarks[i])
            hi = pointwiseMax(hi, landmarks[i])
        }
        let axisCenter = (lo + hi) / 2

        // Bounds in the rotated frame, about the axis-aligned centre.
        let c = cos(rotation), s = sin(rotation)
        var rlo = SIMD2<Float>(repeating: .infinity), rhi = SIMD2<Float>(repeating: -.infinity)
        for i in partial {
            let d = landmarks[i] - axisCenter
            let r = SIMD2(c * d.x + s * d.y, -s * d.x + c * d.y)
            rlo = pointwiseMin(rlo, r)
            rhi = pointwiseMax(rhi, r)
        }
        let rc = (rlo + rhi) / 2
        let size = rhi - rlo
        let rect = HandROI(centerX: axisCenter.x + c * rc.x - s * rc.y,
                           centerY: axisCenter.y + s * rc.x + c * rc.y,
                           width: size.x, height: size.y, rotation: rotation)
        return rect.transformed(scale: scale, shiftY: shiftY, squareLong: true)
    }
}
