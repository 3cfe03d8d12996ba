/// Which pixels a 2D triangle covers, with the exactness a z-buffer needs to be watertight.
///
/// Vertices snap to a fixed-point grid of 1/256 pixel (8 subpixel bits, the precision Direct3D 10's
/// rasterization rules require), so the edge functions are exact integers: two triangles sharing an
/// edge evaluate it to exactly opposite values. Ties (a sample exactly on an edge) go to one side only by
/// the top-left fill rule, so adjacent triangles cover every sample once: no cracks, no double blends.
public enum TriangleCoverage {
    /// Subpixel bits of the fixed-point grid.
    public static let subpixelBits = 8
    @usableFromInline static let one: Int64 = 1 << 8

    @inlinable @inline(__always)
    static func fixed(_ v: Float) -> Int64 {
        // Clamp first so far-off vertices (near-plane grazing) cannot overflow the 64-bit edge products.
        let c = Swift.min(Swift.max(v, -65536), 65536)
        return Int64((c * 256).rounded(.toNearestOrEven))
    }

    @inlinable @inline(__always)
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Calls `body(x, y, barycentrics)` for every pixel in `clip` whose centre (x + ½, y + ½) lies inside
    /// the triangle (a, b, c), in either winding. Barycentrics are screen-space, in the order (a, b, c).
    @inlinable
    public static func forEachPixel(_ a: SIMD2<Float>, _ b: SIMD2<Float>, _ c: SIMD2<Float>,
                                    clip: PixelRect, _ body: (Int, Int, SIMD3<Float>) -> Void) {
        let ax = fixed(a.x), ay = fixed(a.y)
        var bx = fixed(b.x), by = fixed(b.y)
        var cx = fixed(c.x), cy = fixed(c.y)
        var area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
        if area == 0 { return }
        // Positive area is clockwise on a y-down screen; make every triangle so, remembering the swap.
        let swapped = area < 0
        if swapped {
            swap(&bx, &cx)
            swap(&by, &cy)
            area = -area
        }
        // Pixel x's sample is at x·256 + 128 in fixed point: the pixels whose samples can be inside.
        let half = one / 2
        let minX = Swift.max(Int64(clip.minX), -floorDiv(half - Swift.min(ax, bx, cx), one))
        let maxX = Swift.min(Int64(clip.maxX - 1), floorDiv(Swift.max(ax, bx, cx) - half, one))
        let minY = Swift.max(Int64(clip.minY), -floorDiv(half - Swift.min(ay, by, cy), one))
        let maxY = Swift.min(Int64(clip.maxY - 1), floorDiv(Swift.max(ay, by, cy) - half, one))
        if minX > maxX || minY > maxY { return }

        // Edge e_i is opposite vertex i: E(p) = (to - from) × (p - from); all three are ≥ 0 inside.
        // Top-left rule: with positive area an edge is top or left when it runs up (dy < 0) or runs
        // right along a horizontal top (dy == 0, dx > 0); samples on other edges belong to the neighbour.
        @inline(__always) func setup(_ fx: Int64, _ fy: Int64, _ tx: Int64, _ ty: Int64)
            -> (e: Int64, stepX: Int64, stepY: Int64, bias: Int64) {
            let dx = tx - fx, dy = ty - fy
            let px = minX * one + half, py = minY * one + half
            let e = dx * (py - fy) - dy * (px - fx)
            let topLeft = dy < 0 || (dy == 0 && dx > 0)
            return (e, -dy * one, dx * one, topLeft ? 0 : -1)
        }
        let e0 = setup(bx, by, cx, cy), e1 = setup(cx, cy, ax, ay), e2 = setup(ax, ay, bx, by)
        let invArea = 1 / Float(area)
        var row0 = e0.e, row1 = e1.e, row2 = e2.e
        var y = minY
        while y <= maxY {
            var w0 = row0, w1 = row1, w2 = row2
            var x = minX
            while x <= maxX {
                // All three biased edge values non-negative ⇔ their OR has no sign bit.
                if ((w0 + e0.bias) | (w1 + e1.bias) | (w2 + e2.bias)) >= 0 {
                    let l0 = Float(w0) * invArea, l1 = Float(w1) * invArea, l2 = Float(w2) * invArea
                    body(Int(x), Int(y), swapped ? SIMD3(l0, l2, l1) : SIMD3(l0, l1, l2))
                }
                w0 += e0.stepX
                w1 += e1.stepX
                w2 += e2.stepX
                x += 1
            }
            row0 += e0.stepY
            row1 += e1.stepY
            row2 += e2.stepY
            y += 1
        }
    }
}
