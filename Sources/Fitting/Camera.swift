import Foundation

/// A pinhole camera with OpenCV's five-coefficient lens distortion (k1 k2 p1 p2 k3).
///
/// Distortion is applied in the forward projection, with its exact Jacobian, rather than by
/// undistorting the evidence: the residuals then stay in the pixels the landmark model measured,
/// so the robust loss's thresholds are real pixels, and no iterative (and, with the stereo-hand
/// calibration's large k2/k3, easily non-convergent near the border) inversion runs per keypoint.
public struct PinholeCamera: Sendable, Equatable {
    public var fx: Double
    public var fy: Double
    public var cx: Double
    public var cy: Double
    public var k1: Double
    public var k2: Double
    public var p1: Double
    public var p2: Double
    public var k3: Double

    public init(fx: Double, fy: Double, cx: Double, cy: Double,
                k1: Double = 0, k2: Double = 0, p1: Double = 0, p2: Double = 0, k3: Double = 0) {
        self.fx = fx; self.fy = fy; self.cx = cx; self.cy = cy
        self.k1 = k1; self.k2 = k2; self.p1 = p1; self.p2 = p2; self.k3 = k3
    }

    /// The default when a stream gives no intrinsics: 60 degrees across the larger image side
    /// (typical of webcams and phone front cameras), principal point at the image centre, no
    /// distortion.
    public static let defaultFieldOfViewDegrees = 60.0

    public static func defaultCamera(width: Int, height: Int,
                                     fieldOfViewDegrees: Double = defaultFieldOfViewDegrees) -> PinholeCamera {
        let side = Double(max(width, height))
        let f = 0.5 * side / tan(0.5 * fieldOfViewDegrees * .pi / 180)
        return PinholeCamera(fx: f, fy: f, cx: 0.5 * Double(width), cy: 0.5 * Double(height))
    }

    public var hasDistortion: Bool { k1 != 0 || k2 != 0 || p1 != 0 || p2 != 0 || k3 != 0 }

    /// Distorts normalized image coordinates (x, y) = (X/Z, Y/Z).
    @inline(__always)
    public func distort(_ x: Double, _ y: Double) -> (Double, Double) {
        let r2 = x * x + y * y
        let radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3))
        let xd = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x)
        let yd = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y
        return (xd, yd)
    }

    /// Projects a camera-frame point (metres, Z forward) to pixels.
    @inline(__always)
    public func project(_ p: SIMD3<Double>) -> SIMD2<Double> {
        let iz = 1 / p.z
        let (xd, yd) = distort(p.x * iz, p.y * iz)
        return SIMD2(fx * xd + cx, fy * yd + cy)
    }

    /// Projects and returns d(u, v)/d(X, Y, Z) as two rows.
    @inline(__always)
    public func projectWithJacobian(_ p: SIMD3<Double>) -> (uv: SIMD2<Double>, du: SIMD3<Double>, dv: SIMD3<Double>) {
        let iz = 1 / p.z
        let x = p.x * iz, y = p.y * iz
        let r2 = x * x + y * y
        let radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3))
        // d(radial)/d(r2)
        let dRadial = k1 + r2 * (2 * k2 + 3 * k3 * r2)
        let xd = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x)
        let yd = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y
        let dxdx = radial + 2 * x * x * dRadial + 2 * p1 * y + 6 * p2 * x
        let cross = 2 * x * y * dRadial + 2 * p1 * x + 2 * p2 * y
        let dydy = radial + 2 * y * y * dRadial + 6 * p1 * y + 2 * p2 * x
        // d(x, y)/d(X, Y, Z) = [[1/Z, 0, -x/Z], [0, 1/Z, -y/Z]]
        let dx = SIMD3(iz, 0, -x * iz), dy = SIMD3(0, iz, -y * iz)
        let du = fx * (dxdx * dx + cross * dy)
        let dv = fy * (cross * dx + dydy * dy)
        return (SIMD2(fx * xd + cx, fy * yd + cy), du, dv)
    }

    /// Normalized, undistorted coordinates (X/Z, Y/Z) of a pixel, by fixed-point iteration of
    /// the distortion (OpenCV's undistortPoints scheme). For triangulation and initialization,
    /// never in the refinement's residuals.
    public func undistort(_ pixel: SIMD2<Double>, iterations: Int = 20) -> SIMD2<Double> {
        let xd = (pixel.x - cx) / fx, yd = (pixel.y - cy) / fy
        guard hasDistortion else { return SIMD2(xd, yd) }
        var x = xd, y = yd
        for _ in 0..<iterations {
            let r2 = x * x + y * y
            let radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3))
            let dx = 2 * p1 * x * y + p2 * (r2 + 2 * x * x)
            let dy = p1 * (r2 + 2 * y * y) + 2 * p2 * x * y
            x = (xd - dx) / radial
            y = (yd - dy) / radial
        }
        return SIMD2(x, y)
    }
}
