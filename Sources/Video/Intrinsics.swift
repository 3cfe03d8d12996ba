/// A pinhole camera in pixels of one picture, with OpenCV's distortion coefficients.
public struct Intrinsics: Sendable, Equatable {
    public var fx: Double
    public var fy: Double
    public var cx: Double
    public var cy: Double
    /// k1, k2, p1, p2, k3 in OpenCV's order; may be shorter (the missing ones are 0).
    public var distortion: [Double]

    public init(fx: Double, fy: Double, cx: Double, cy: Double, distortion: [Double] = []) {
        self.fx = fx
        self.fy = fy
        self.cx = cx
        self.cy = cy
        self.distortion = distortion
    }

    /// The same camera for the picture resized from `from` to `to` pixels. Landmarks are in pixel-edge
    /// coordinates (0 at the left edge of the first pixel), where a resize scales every coordinate alike.
    /// Distortion acts on normalized coordinates, which a resize leaves alone.
    public func scaled(from: (width: Int, height: Int), to: (width: Int, height: Int)) -> Intrinsics {
        guard from.width > 0, from.height > 0, from != to else { return self }
        let sx = Double(to.width) / Double(from.width), sy = Double(to.height) / Double(from.height)
        return Intrinsics(fx: fx * sx, fy: fy * sy, cx: cx * sx, cy: cy * sy, distortion: distortion)
    }
}
