import Foundation

/// A palm detection to the hand ROI the landmark model is run on: MediaPipe's
/// mediapipe/modules/hand_landmark/palm_detection_detection_to_roi.pbtxt, i.e.
/// `DetectionsToRectsCalculator` (rotation from keypoint 0, the wrist, to keypoint 2, the middle
/// finger's base, target angle 90°) then `RectTransformationCalculator` (scale 2.6, shift_y -0.5,
/// square_long). The palm box is small and centred on the palm; the transform grows it to take in
/// the fingers, which lie "up" from the palm in the rotated frame.
public enum PalmROI {
    /// rotation_vector_start_keypoint_index 0, rotation_vector_end_keypoint_index 2,
    /// rotation_vector_target_angle_degrees 90 (palm_detection_detection_to_roi.pbtxt).
    public static let startKeypoint = 0
    public static let endKeypoint = 2
    public static let targetAngle = Float.pi / 2
    /// scale_x = scale_y 2.6, shift_y -0.5, square_long (palm_detection_detection_to_roi.pbtxt).
    public static let scale: Float = 2.6
    public static let shiftY: Float = -0.5

    /// `detection` is normalized to the frame (letterbox removed).
    public static func roi(for detection: PalmDetection, frameWidth: Int, frameHeight: Int) -> HandROI {
        let w = Float(frameWidth), h = Float(frameHeight)
        let p0 = detection.keypoint(startKeypoint), p1 = detection.keypoint(endKeypoint)
        let rotation = normalizeRadians(targetAngle - atan2(-(p1.y - p0.y) * h, (p1.x - p0.x) * w))
        let box = HandROI(centerX: (detection.xmin + detection.width / 2) * w,
                          centerY: (detection.ymin + detection.height / 2) * h,
                          width: detection.width * w, height: detection.height * h,
                          rotation: rotation)
        return box.transformed(scale: scale, shiftY: shiftY, squareLong: true)
    }
}
