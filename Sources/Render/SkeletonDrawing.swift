import Video

/// Draws the 21 keypoints and their bones over an RGB picture, anti-aliased by coverage from the distance
/// to each segment or disc, so joints read at any scale without allocation.
public enum SkeletonDrawing {
    /// MediaPipe's hand connections (landmark index pairs), palm first, then each finger from its base.
    public static let bones: [(Int, Int)] = [
        (0, 1), (0, 5), (5, 9), (9, 13), (13, 17), (0, 17),
        (1, 2), (2, 3), (3, 4), (5, 6), (6, 7), (7, 8), (9, 10), (10, 11), (11, 12),
        (13, 14), (14, 15), (15, 16), (17, 18), (18, 19), (19, 20),
    ]

    /// A colour per digit (thumb … pinky) for its bones and joints, and one for the palm and wrist.
    public static let digitColors: [SIMD3<UInt8>] = [
        SIMD3(255, 140, 0), SIMD3(255, 220, 40), SIMD3(60, 220, 60), SIMD3(40, 170, 255), SIMD3(200, 90, 255),
    ]
    public static let palmColor = SIMD3<UInt8>(235, 235, 235)

    /// The digit of keypoint `k` (0 thumb … 4 pinky), or -1 for the wrist.
    @inlinable public static func digit(ofKeypoint k: Int) -> Int { k == 0 ? -1 : (k - 1) / 4 }

    /// Draws bones `thickness` pixels wide and joints of `radius` pixels at `keypoints` (21 points, pixels).
    public static func draw(keypoints: [SIMD2<Float>], into image: PixelBuffer, thickness: Float = 2.5, radius: Float = 3.5) {
        guard keypoints.count == 21 else { return }
        for (a, b) in bones {
            let d = digit(ofKeypoint: b)
            let isPalm = a == 0 || (digit(ofKeypoint: a) != d)
            segment(keypoints[a], keypoints[b], halfWidth: thickness / 2, color: isPalm ? palmColor : digitColors[d], into: image)
        }
        for (k, p) in keypoints.enumerated() {
            let d = digit(ofKeypoint: k)
            segment(p, p, halfWidth: radius + 1, color: SIMD3(20, 20, 20), into: image)
            segment(p, p, halfWidth: radius, color: d < 0 ? palmColor : digitColors[d], into: image)
        }
    }

    /// A capsule of half-width `h` from `a` to `b` (a disc when a == b), blended by pixel coverage.
    public static func segment(_ a: SIMD2<Float>, _ b: SIMD2<Float>, halfWidth h: Float, color: SIMD3<UInt8>, into image: PixelBuffer) {
        guard a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite else { return }
        let bounds = PixelRect(minX: 0, minY: 0, maxX: image.width, maxY: image.height)
        let r = PixelRect.covering(lo: pointwiseMin(a, b), hi: pointwiseMax(a, b), margin: h + 1).intersection(bounds)
        if r.isEmpty { return }
        let ab = b - a, l2 = (ab * ab).sum()
        let c = SIMD3<Float>(Float(color.x), Float(color.y), Float(color.z))
        let rowBytes = image.rowBytes
        image.withUnsafeMutableBytes { raw in
            let px = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            for y in r.minY..<r.maxY {
                for x in r.minX..<r.maxX {
                    let p = SIMD2(Float(x) + 0.5, Float(y) + 0.5)
                    let t = l2 > 0 ? min(max(((p - a) * ab).sum() / l2, 0), 1) : 0
                    let d = p - (a + t * ab)
                    // Coverage falls from 1 to 0 across the one pixel straddling the edge.
                    let cover = min(max(h + 0.5 - (d * d).sum().squareRoot(), 0), 1)
                    if cover <= 0 { continue }
                    let q = px + y * rowBytes + 3 * x
                    let dst = SIMD3<Float>(Float(q[0]), Float(q[1]), Float(q[2]))
                    let out = dst + cover * (c - dst)
                    q[0] = UInt8(out.x + 0.5)
                    q[1] = UInt8(out.y + 0.5)
                    q[2] = UInt8(out.z + 0.5)
                }
            }
        }
    }
}
