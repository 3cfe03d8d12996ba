import Fitting
import Render

extension RenderCamera {
    /// The renderer's camera for the fitting's: the same pinhole and distortion, in Float.
    public init(_ c: PinholeCamera) {
        self.init(fx: Float(c.fx), fy: Float(c.fy), cx: Float(c.cx), cy: Float(c.cy),
                  k1: Float(c.k1), k2: Float(c.k2), p1: Float(c.p1), p2: Float(c.p2), k3: Float(c.k3))
    }
}
