import Fitting
import Render
import Silhouette

extension FrameWork {
    /// The camera the estimators assume for this frame: the stream's intrinsics (distortion
    /// honoured) or, without them, `PinholeCamera`'s stated default field of view for its size.
    var pinholeCamera: PinholeCamera {
        guard let c = context.camera else { return PinholeCamera.defaultCamera(width: frame.width, height: frame.height) }
        let d = c.distortion + [Double](repeating: 0, count: max(0, 5 - c.distortion.count))
        return PinholeCamera(fx: c.fx, fy: c.fy, cx: c.cx, cy: c.cy, k1: d[0], k2: d[1], p1: d[2], p2: d[3], k3: d[4])
    }

    /// The same camera for drawing, so a fitted hand is drawn where the fit put it.
    var renderCamera: RenderCamera { RenderCamera(pinholeCamera) }
}
