import Foundation

/// The camera the renderer projects with: a pinhole in OpenCV's convention (x right, y down, z forward,
/// metres in, pixels out) with OpenCV's five lens-distortion coefficients, the same model and numbers as
/// the fitting's camera, so a fitted hand is drawn where the fit put it.
///
/// Pixel coordinates are continuous with pixel (i, j) covering [i, i+1) × [j, j+1): its centre, where the
/// rasterizer samples, is (i + 0.5, j + 0.5). That is MediaPipe's convention (landmark x · width) and the
/// fitting's (principal point at width / 2 for a centred camera).
public struct RenderCamera: Sendable, Equatable, Hashable {
    public var fx: Float
    public var fy: Float
    public var cx: Float
    public var cy: Float
    /// OpenCV's distortion: radial k1, k2, k3 and tangential p1, p2. All zero for an ideal pinhole.
    public var k1: Float = 0, k2: Float = 0, p1: Float = 0, p2: Float = 0, k3: Float = 0

    public init(fx: Float, fy: Float, cx: Float, cy: Float,
                k1: Float = 0, k2: Float = 0, p1: Float = 0, p2: Float = 0, k3: Float = 0) {
        self.fx = fx
        self.fy = fy
        self.cx = cx
        self.cy = cy
        self.k1 = k1
        self.k2 = k2
        self.p1 = p1
        self.p2 = p2
        self.k3 = k3
    }

    /// Square pixels, principal point at the image centre, `fieldOfViewDegrees` across the larger side:
    /// the fitting's default camera (60° when a stream gives no intrinsics) for the same image size.
    public init(width: Int, height: Int, fieldOfViewDegrees fov: Float = 60) {
        let f = Float(max(width, height)) * 0.5 / tanf(fov * .pi / 360)
        self.init(fx: f, fy: f, cx: Float(width) * 0.5, cy: Float(height) * 0.5)
    }

    public var hasDistortion: Bool { k1 != 0 || k2 != 0 || p1 != 0 || p2 != 0 || k3 != 0 }

    /// The pixel a camera-space point lands on; `z` must be positive.
    @inlinable
    public func project(_ p: SIMD3<Float>) -> SIMD2<Float> {
        let iz = 1 / p.z
        var x = p.x * iz, y = p.y * iz
        if hasDistortion {
            let r2 = x * x + y * y
            let radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3))
            let xd = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x)
            let yd = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y
            x = xd
            y = yd
        }
        return SIMD2(fx * x + cx, fy * y + cy)
    }

    /// `project` and its 2×3 Jacobian d(u, v)/d(x, y, z) as two rows.
    @inlinable
    public func projectWithJacobian(_ p: SIMD3<Float>) -> (uv: SIMD2<Float>, du: SIMD3<Float>, dv: SIMD3<Float>) {
        let iz = 1 / p.z
        let x = p.x * iz, y = p.y * iz
        // Normalized coordinates' Jacobian: d(x, y)/d(X, Y, Z) = [[1/Z, 0, -x/Z], [0, 1/Z, -y/Z]].
        let dx = SIMD3<Float>(iz, 0, -x * iz), dy = SIMD3<Float>(0, iz, -y * iz)
        guard hasDistortion else {
            return (SIMD2(fx * x + cx, fy * y + cy), fx * dx, fy * dy)
        }
        let r2 = x * x + y * y
        let radial = 1 + r2 * (k1 + r2 * (k2 + r2 * k3))
        let dRadial = k1 + r2 * (2 * k2 + 3 * k3 * r2)   // d radial / d r2
        let xd = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x)
        let yd = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y
        // Differentiating xd and yd by x and y (r2' = 2x or 2y).
        let xdx = radial + 2 * x * x * dRadial + 2 * p1 * y + 6 * p2 * x
        let xdy = 2 * x * y * dRadial + 2 * p1 * x + 2 * p2 * y
        let ydy = radial + 2 * y * y * dRadial + 6 * p1 * y + 2 * p2 * x
        return (SIMD2(fx * xd + cx, fy * yd + cy), fx * (xdx * dx + xdy * dy), fy * (xdy * dx + ydy * dy))
    }

    /// Projects camera-space vertices into screen space (u, v, z) for the rasterizer; `out` is resized only
    /// when its count differs, so a reused array allocates nothing.
    public func projectToScreen(_ vertices: [SIMD3<Float>], into out: inout [SIMD3<Float>]) {
        if out.count != vertices.count { out = Array(repeating: .zero, count: vertices.count) }
        out.withUnsafeMutableBufferPointer { o in
            for (i, p) in vertices.enumerated() { o[i] = screenPoint(p) }
        }
    }

    /// The same for the hand model's own (double-precision) vertices, without converting them first.
    public func projectToScreen(_ vertices: UnsafeBufferPointer<SIMD3<Double>>, into out: inout [SIMD3<Float>]) {
        if out.count != vertices.count { out = Array(repeating: .zero, count: vertices.count) }
        out.withUnsafeMutableBufferPointer { o in
            for (i, p) in vertices.enumerated() { o[i] = screenPoint(SIMD3<Float>(p)) }
        }
    }

    @inline(__always) private func screenPoint(_ p: SIMD3<Float>) -> SIMD3<Float> {
        // Points behind the camera keep z ≤ 0, which the rasterizer skips.
        let uv = p.z > 0 ? project(p) : .zero
        return SIMD3(uv.x, uv.y, p.z)
    }
}
