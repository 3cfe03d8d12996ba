import Render

/// Where the hand is in a binary mask: a square region around it, in frame pixels (continuous
/// coordinates, pixel (i, j) covering [i, i+1) × [j, j+1), the rasterizer's and MediaPipe's
/// convention).
///
/// The hand is the largest 8-connected blob of mask pixels; specks and other objects are
/// ignored. Blobs at least `attachedFraction` of its area lying within its bounding box grown by
/// half are kept too: a segmenter often cuts a finger off at a thin joint.
public struct MaskRegion: Sendable, Equatable {
    /// Centre of the square, pixels.
    public var center: SIMD2<Double>
    /// Side of the square, pixels: the hand's bounding box's longer side times `marginFactor`.
    public var side: Double
    /// The hand's pixels' bounding box, continuous: [lo, hi).
    public var lo: SIMD2<Double>
    public var hi: SIMD2<Double>
    /// Mask pixels counted as hand.
    public var pixelCount: Int

    /// The square's side over the bounding box's longer side: a pad of 12.5% each way, so that a
    /// segmenter's boundary a pixel or two off and fingertips never fall outside the grid.
    public static let marginFactor = 1.25
    /// Smaller hands carry too little shape to regress from (a 10 × 10 pixel blob).
    public static let defaultMinimumPixels = 100
    /// A blob at least this fraction of the largest one's area, near it, counts as a cut-off part.
    public static let attachedFraction = 0.05

    public init(center: SIMD2<Double>, side: Double, lo: SIMD2<Double>, hi: SIMD2<Double>, pixelCount: Int) {
        self.center = center
        self.side = side
        self.lo = lo
        self.hi = hi
        self.pixelCount = pixelCount
    }

    /// The square region of a bounding box [lo, hi): centred on it, its longer side times the margin.
    public init(boundingLo lo: SIMD2<Double>, hi: SIMD2<Double>, pixelCount: Int) {
        let extent = max(hi.x - lo.x, hi.y - lo.y)
        self.init(center: 0.5 * (lo + hi), side: extent * Self.marginFactor, lo: lo, hi: hi, pixelCount: pixelCount)
    }

    /// Finds the hand in `mask` (`width * height` bytes, ≥ 128 is hand), labelling into
    /// `components` (whose `selected` flags then mark the hand's blobs). Nil when the hand has
    /// fewer than `minimumPixels` pixels. Allocates nothing once `components` has seen a frame
    /// this size.
    public static func find(mask: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
                            components c: inout MaskComponents,
                            minimumPixels: Int = defaultMinimumPixels) -> MaskRegion? {
        precondition(width > 0 && height > 0 && mask.count >= width * height,
                     "MaskRegion.find: mask has \(mask.count) bytes for \(width)x\(height)")
        return find(mask: MaskView(mask.baseAddress!, width: width, height: height), components: &c, minimumPixels: minimumPixels)
    }

    /// The same on a mask seen through `MaskView` (a decoded mask video frame, read in place).
    public static func find(mask: MaskView, components c: inout MaskComponents,
                            minimumPixels: Int = defaultMinimumPixels) -> MaskRegion? {
        c.label(mask: mask)
        var best = 0
        var bestArea: Int32 = 0
        for l in 1..<c.labelCount where c.isRoot(l) && c.area[l] > bestArea {
            best = l
            bestArea = c.area[l]
        }
        guard best > 0, Int(bestArea) >= max(minimumPixels, 1) else { return nil }
        // The neighbourhood in which other sizeable blobs count as cut-off parts of the hand.
        let bw = c.maxX[best] - c.minX[best] + 1, bh = c.maxY[best] - c.minY[best] + 1
        let nx0 = c.minX[best] - bw / 2, nx1 = c.maxX[best] + bw / 2
        let ny0 = c.minY[best] - bh / 2, ny1 = c.maxY[best] + bh / 2
        let minArea = Int32((Double(bestArea) * attachedFraction).rounded(.up))
        var x0 = Int32.max, y0 = Int32.max, x1: Int32 = -1, y1: Int32 = -1
        var count = 0
        for l in 1..<c.labelCount where c.isRoot(l) {
            let inside = c.minX[l] >= nx0 && c.maxX[l] <= nx1 && c.minY[l] >= ny0 && c.maxY[l] <= ny1
            guard l == best || (c.area[l] >= minArea && inside) else { continue }
            c.selected[l] = 1
            count += Int(c.area[l])
            x0 = min(x0, c.minX[l]); y0 = min(y0, c.minY[l])
            x1 = max(x1, c.maxX[l]); y1 = max(y1, c.maxY[l])
        }
        return MaskRegion(boundingLo: SIMD2(Double(x0), Double(y0)), hi: SIMD2(Double(x1 + 1), Double(y1 + 1)), pixelCount: count)
    }

    /// The same on an array.
    public static func find(mask: [UInt8], width: Int, height: Int, components: inout MaskComponents,
                            minimumPixels: Int = defaultMinimumPixels) -> MaskRegion? {
        mask.withUnsafeBufferPointer { find(mask: $0, width: width, height: height, components: &components, minimumPixels: minimumPixels) }
    }
}
