import Fitting
import Foundation
import HandModel

/// The camera axes turned to look through a region's centre: the rotation R taking the optical
/// axis (0, 0, 1) onto the ray of the centre by the shortest arc. A hand seen through an
/// off-centre region looks like the same hand seen in the middle of a camera turned by R, so
/// the regressor predicts 3D in these axes (R⁻¹ applied) and the result is turned back by R; it
/// then need not learn how perspective rotates the view across the image.
public enum RegionFrame {
    public static func rotation(center: SIMD2<Double>, camera: PinholeCamera) -> Mat3 {
        let ray = camera.undistort(center)
        let d = SIMD3(ray.x, ray.y, 1) / (ray.x * ray.x + ray.y * ray.y + 1).squareRoot()
        // Axis z × d = (-d.y, d.x, 0); angle acos(d.z).
        let axis = SIMD3(-d.y, d.x, 0)
        let s = (axis * axis).sum().squareRoot()
        guard s > 1e-12 else { return .identity }
        let angle = atan2(s, d.z)
        return AxisAngle.matrix(axis / s * angle)
    }
}
