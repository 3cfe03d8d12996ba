/// An axis-aligned rectangle of pixels: `minX..<maxX`, `minY..<maxY`. The rasterizer keeps one as the
/// region it has written, so clearing and compositing touch only that region, not the whole frame.
public struct PixelRect: Sendable, Equatable, Hashable {
    public var minX: Int
    public var minY: Int
    public var maxX: Int
    public var maxY: Int

    public init(minX: Int, minY: Int, maxX: Int, maxY: Int) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    public static let empty = PixelRect(minX: 0, minY: 0, maxX: 0, maxY: 0)

    public var isEmpty: Bool { maxX <= minX || maxY <= minY }
    public var width: Int { max(0, maxX - minX) }
    public var height: Int { max(0, maxY - minY) }

    public func union(_ o: PixelRect) -> PixelRect {
        if isEmpty { return o }
        if o.isEmpty { return self }
        return PixelRect(minX: min(minX, o.minX), minY: min(minY, o.minY),
                         maxX: max(maxX, o.maxX), maxY: max(maxY, o.maxY))
    }

    public func intersection(_ o: PixelRect) -> PixelRect {
        let r = PixelRect(minX: max(minX, o.minX), minY: max(minY, o.minY),
                          maxX: min(maxX, o.maxX), maxY: min(maxY, o.maxY))
        return r.isEmpty ? .empty : r
    }

    /// The pixels whose centres (x + ½, y + ½) can lie within `[lo, hi]` grown by `margin`.
    public static func covering(lo: SIMD2<Float>, hi: SIMD2<Float>, margin: Float = 0) -> PixelRect {
        guard lo.x.isFinite, lo.y.isFinite, hi.x.isFinite, hi.y.isFinite else { return .empty }
        let l = (lo - margin - 0.5).rounded(.up), h = (hi + margin - 0.5).rounded(.down)
        let clampLo: Float = -16_777_216, clampHi: Float = 16_777_216
        return PixelRect(minX: Int(min(max(l.x, clampLo), clampHi)), minY: Int(min(max(l.y, clampLo), clampHi)),
                         maxX: Int(min(max(h.x, clampLo), clampHi)) + 1, maxY: Int(min(max(h.y, clampLo), clampHi)) + 1)
    }
}
