import Fitting
import XCTest

final class CameraTests: XCTestCase {
    /// The stereo-hand view 0 calibration: k2 and k3 are large, so distortion matters.
    let camera = PinholeCamera(fx: 926.08, fy: 925.78, cx: 356.09, cy: 355.25,
                               k1: -0.01396, k2: 1.41929, p1: -0.003534, p2: -0.003567, k3: -6.39432)

    /// OpenCV's documented model written out independently, in polar form.
    func directProjection(_ p: SIMD3<Double>) -> SIMD2<Double> {
        let x = p.x / p.z, y = p.y / p.z
        let r = (x * x + y * y).squareRoot()
        let radial = 1 + camera.k1 * pow(r, 2) + camera.k2 * pow(r, 4) + camera.k3 * pow(r, 6)
        let xd = x * radial + 2 * camera.p1 * x * y + camera.p2 * (pow(r, 2) + 2 * x * x)
        let yd = y * radial + camera.p1 * (pow(r, 2) + 2 * y * y) + 2 * camera.p2 * x * y
        return SIMD2(camera.fx * xd + camera.cx, camera.fy * yd + camera.cy)
    }

    func testProjectionMatchesTheDirectFormula() {
        for p in [SIMD3(0.0, 0, 0.5), SIMD3(0.1, -0.05, 0.4), SIMD3(-0.12, 0.1, 0.6), SIMD3(0.03, 0.2, 0.9)] {
            let a = camera.project(p), b = directProjection(p)
            XCTAssertEqual(a.x, b.x, accuracy: 1e-9)
            XCTAssertEqual(a.y, b.y, accuracy: 1e-9)
        }
        // Distortion is not negligible here: 12 cm off axis at 40 cm moves by pixels.
        let undistorted = PinholeCamera(fx: camera.fx, fy: camera.fy, cx: camera.cx, cy: camera.cy)
        let p = SIMD3(0.15, 0.12, 0.4)
        XCTAssertGreaterThan(abs(camera.project(p).x - undistorted.project(p).x), 1)
    }

    func testProjectionJacobianMatchesFiniteDifferences() {
        let h = 1e-7
        for p in [SIMD3(0.1, -0.05, 0.4), SIMD3(-0.12, 0.1, 0.6), SIMD3(0.0, 0.0, 0.3)] {
            let (uv, du, dv) = camera.projectWithJacobian(p)
            XCTAssertEqual(uv, camera.project(p))
            for c in 0..<3 {
                var a = p, b = p
                a[c] += h; b[c] -= h
                let d = (camera.project(a) - camera.project(b)) / (2 * h)
                XCTAssertEqual(du[c], d.x, accuracy: 1e-4 * max(1, abs(d.x)))
                XCTAssertEqual(dv[c], d.y, accuracy: 1e-4 * max(1, abs(d.y)))
            }
        }
    }

    func testUndistortInvertsTheProjection() {
        let p = SIMD3(0.08, -0.06, 0.5)
        let n = camera.undistort(camera.project(p))
        XCTAssertEqual(n.x, p.x / p.z, accuracy: 1e-7)
        XCTAssertEqual(n.y, p.y / p.z, accuracy: 1e-7)
    }

    func testDefaultCameraHasTheStatedFieldOfView() {
        let c = PinholeCamera.defaultCamera(width: 640, height: 480)
        // The border of the larger side is at half the field of view.
        let angle = atan(320 / c.fx) * 2 * 180 / .pi
        XCTAssertEqual(angle, PinholeCamera.defaultFieldOfViewDegrees, accuracy: 1e-9)
        XCTAssertEqual(c.cx, 320); XCTAssertEqual(c.cy, 240)
        XCTAssertFalse(c.hasDistortion)
    }
}
