import Crop
import Foundation

/// Crop-space landmark output back to the frame.
public enum LandmarkProjection {
    /// A crop point (pixels of the `cropSize` crop) to frame pixels: MediaPipe's
    /// `TensorsToLandmarksCalculator` (divide by input_image_width/height 224,
    /// hand_landmark_cpu.pbtxt) then `LandmarkProjectionCalculator`
    /// (mediapipe/calculators/util/landmark_projection_calculator.cc: rotate about the crop centre
    /// by the ROI's rotation, scale by its size, move to its centre).
    @inlinable
    public static func toFrame(_ p: SIMD2<Float>, roi: HandROI, cropSize: Float) -> SIMD2<Float> {
        roi.framePoint(u: p.x / cropSize, v: p.y / cropSize)
    }

    /// A world landmark (metres, crop axes) to camera axes: `WorldLandmarkProjectionCalculator`
    /// (mediapipe/calculators/util/world_landmark_projection_calculator.cc) rotates x, y by the
    /// ROI's rotation and leaves z.
    @inlinable
    public static func worldToCamera(_ p: SIMD3<Float>, rotation: Float) -> SIMD3<Float> {
        let c = cos(rotation), s = sin(rotation)
        return SIMD3(c * p.x - s * p.y, s * p.x + c * p.y, p.z)
    }
}
