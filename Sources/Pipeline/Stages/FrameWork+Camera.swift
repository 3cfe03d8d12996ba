import Fitting
import Render
import Silhouette

extension FrameWork {
    /// The camera the estimators assume for this frame: the photo's own intrinsics (from a manifest),
    /// else the stream's (distortion honoured), else `PinholeCamera`'s stated default field of view
    /// for its size.
    var pinholeCamera: PinholeCamera {
        if let c = frame.still?.camera { return Self.pinhole(fx: c.fx, fy: c.fy, cx: c.cx, cy: c.cy, distortion: c.distortion) }
        guard let c = context.camera else { return PinholeCamera.defaultCamera(width: frame.width, height: frame.height) }
        return Self.pinhole(fx: c.fx, fy: c.fy, cx: c.cx, cy: c.cy, distortion: c.distortion)
    }

    private static func pinhole(fx: Double, fy: Double, cx: Double, cy: Double, distortion: [Double]) -> PinholeCamera {
        let d = distortion + [Double](repeating: 0, count: max(0, 5 - distortion.count))
        return PinholeCamera(fx: fx, fy: fy, cx: cx, cy: cy, k1: d[0], k2: d[1], p1: d[2], p2: d[3], k3: d[4])
    }

    /// The same camera for drawing, so a fitted hand is drawn where the fit put it.
    var renderCamera: RenderCamera { RenderCamera(pinholeCamera) }
}
