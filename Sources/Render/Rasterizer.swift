/// A z-buffered triangle rasterizer on the CPU with preallocated buffers.
///
/// Input vertices are in screen space: (u, v) pixels and z the camera-space depth (metres, > 0).
/// Per pixel it keeps the nearest face's id, its inverse depth, and perspective-correct barycentrics,
/// from which silhouettes, shading and masks are resolved. Only the rectangle written since the last
/// `clear()` is cleared again, so a hand in a 720p frame costs the hand's pixels, not the frame's.
public struct Rasterizer: Sendable {
    public let width: Int
    public let height: Int
    /// Face id per pixel (`firstFaceID + face index` of the draw call), or -1 where nothing was drawn.
    public private(set) var faceID: [Int32]
    /// 1/z of the nearest surface per pixel; 0 where nothing was drawn. Interpolating 1/z linearly in
    /// screen space is exact under perspective, so it is what the depth test compares.
    public private(set) var inverseDepth: [Float]
    /// Perspective-correct barycentric weights of the face's second and third vertices per pixel
    /// (the first is 1 - x - y).
    public private(set) var barycentric: [SIMD2<Float>]
    /// The pixels written since the last `clear()` (a bound, not exact coverage).
    public private(set) var written: PixelRect = .empty
    /// Triangles with a vertex nearer than this (metres) are skipped rather than clipped: hands and
    /// forearms never reach the camera.
    public var nearPlane: Float = 1e-3

    public var bounds: PixelRect { PixelRect(minX: 0, minY: 0, maxX: width, maxY: height) }

    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "Rasterizer: size \(width)x\(height) must be positive")
        self.width = width
        self.height = height
        faceID = Array(repeating: -1, count: width * height)
        inverseDepth = Array(repeating: 0, count: width * height)
        barycentric = Array(repeating: .zero, count: width * height)
    }

    /// Forget everything drawn; touches only the written rectangle.
    public mutating func clear() {
        let r = written.intersection(bounds)
        written = .empty
        if r.isEmpty { return }
        let w = width
        faceID.withUnsafeMutableBufferPointer { fid in
            inverseDepth.withUnsafeMutableBufferPointer { dz in
                for y in r.minY..<r.maxY {
                    let row = y * w
                    for x in r.minX..<r.maxX {
                        fid[row + x] = -1
                        dz[row + x] = 0
                    }
                }
            }
        }
    }

    /// Which faces to skip.
    public enum Culling: Sendable {
        case none
        /// Faces seen from behind, for meshes wound outward (counter-clockwise about the outward normal, the
        /// hand model's convention): in this y-down screen such a face projects with positive area. A closed
        /// mesh's front faces alone cover its whole silhouette, so this halves the work and changes nothing.
        case back
    }

    /// Draws triangles `faces` (indices into `screen`) with the depth test. Face ids written are
    /// `firstFaceID + index`, so several meshes can share one buffer and stay distinguishable.
    public mutating func draw(screen: [SIMD3<Float>], faces: [SIMD3<Int32>], firstFaceID: Int32 = 0, culling: Culling = .none) {
        let cullBack = culling == .back
        guard !screen.isEmpty, !faces.isEmpty else { return }
        var lo = SIMD2<Float>(repeating: .infinity), hi = SIMD2<Float>(repeating: -.infinity)
        for p in screen where p.z > nearPlane {
            lo = pointwiseMin(lo, SIMD2(p.x, p.y))
            hi = pointwiseMax(hi, SIMD2(p.x, p.y))
        }
        let region = PixelRect.covering(lo: lo, hi: hi).intersection(bounds)
        if region.isEmpty { return }
        written = written.union(region)
        let w = width, near = nearPlane
        faceID.withUnsafeMutableBufferPointer { fid in
            inverseDepth.withUnsafeMutableBufferPointer { dz in
                barycentric.withUnsafeMutableBufferPointer { bc in
                    screen.withUnsafeBufferPointer { sv in
                        for (f, face) in faces.enumerated() {
                            let i0 = Int(face.x), i1 = Int(face.y), i2 = Int(face.z)
                            guard i0 >= 0, i1 >= 0, i2 >= 0, i0 < sv.count, i1 < sv.count, i2 < sv.count else { continue }
                            let p0 = sv[i0], p1 = sv[i1], p2 = sv[i2]
                            if p0.z <= near || p1.z <= near || p2.z <= near { continue }
                            if cullBack && (p1.x - p0.x) * (p2.y - p0.y) - (p1.y - p0.y) * (p2.x - p0.x) > 0 { continue }
                            let iz = SIMD3<Float>(1 / p0.z, 1 / p1.z, 1 / p2.z)
                            let id = firstFaceID &+ Int32(truncatingIfNeeded: f)
                            TriangleCoverage.forEachPixel(SIMD2(p0.x, p0.y), SIMD2(p1.x, p1.y), SIMD2(p2.x, p2.y),
                                                          clip: region) { x, y, l in
                                let q = l * iz
                                let inv = q.x + q.y + q.z
                                let k = y * w + x
                                if inv > dz[k] {
                                    dz[k] = inv
                                    fid[k] = id
                                    bc[k] = SIMD2(q.y, q.z) / inv
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Writes the binary silhouette (255 where any face was drawn, 0 elsewhere) as a full-size mask.
    public func silhouette(into mask: inout [UInt8]) {
        if mask.count != width * height { mask = Array(repeating: 0, count: width * height) }
        faceID.withUnsafeBufferPointer { fid in
            mask.withUnsafeMutableBufferPointer { m in
                for k in 0..<fid.count { m[k] = fid[k] >= 0 ? 255 : 0 }
            }
        }
    }

    /// Number of pixels covered.
    public var coveredPixelCount: Int {
        let r = written.intersection(bounds)
        var n = 0
        if r.isEmpty { return 0 }
        for y in r.minY..<r.maxY { for x in r.minX..<r.maxX where faceID[y * width + x] >= 0 { n += 1 } }
        return n
    }
}


extension Rasterizer {
    /// Intersection over union of the drawn faces with ids in `faces` (all by default) and a mask of this
    /// size (`width * height` bytes, ≥ 128 counts as inside): the mesh-to-mask IoU at full resolution.
    public func intersectionOverUnion(mask: [UInt8], faces: Range<Int32> = 0..<Int32.max) -> Double {
        precondition(mask.count >= width * height, "Rasterizer.intersectionOverUnion: mask has \(mask.count) bytes for \(width)x\(height)")
        return mask.withUnsafeBufferPointer {
            intersectionOverUnion(mask: MaskView($0.baseAddress!, width: width, height: height), faces: faces)
        }
    }

    /// The same against a mask seen through `MaskView` (a decoded mask video frame, read in place).
    public func intersectionOverUnion(mask: MaskView, faces: Range<Int32> = 0..<Int32.max) -> Double {
        overlap(mask: mask, faces: faces).intersectionOverUnion
    }

    /// Pixel counts of the drawn faces with ids in `faces` against a mask of this size, over the whole
    /// frame: the mask is counted everywhere, the faces only where something was written. Allocates nothing.
    public func overlap(mask: MaskView, faces: Range<Int32> = 0..<Int32.max) -> MaskOverlap {
        precondition(mask.width == width && mask.height == height,
                     "Rasterizer.overlap: mask is \(mask.width)x\(mask.height), the buffer \(width)x\(height)")
        var result = MaskOverlap()
        let stride = mask.pixelStride, threshold = MaskView.handThreshold, cut = mask.cut
        for y in 0..<height {
            let row = mask.base + y * mask.rowBytes
            var n = 0
            for x in 0..<width where row[x * stride] >= threshold && !cut.removes(x: x, y: y) { n += 1 }
            result.mask += n
        }
        let r = written.intersection(bounds)
        guard !r.isEmpty else { return result }
        faceID.withUnsafeBufferPointer { fid in
            for y in r.minY..<r.maxY {
                let row = mask.base + y * mask.rowBytes
                for x in r.minX..<r.maxX where faces.contains(fid[y * width + x]) {
                    result.drawn += 1
                    if row[x * stride] >= threshold && !cut.removes(x: x, y: y) { result.intersection += 1 }
                }
            }
        }
        return result
    }
}

/// How a drawn silhouette and a mask overlap, in pixels.
public struct MaskOverlap: Sendable, Equatable {
    public var intersection = 0
    public var drawn = 0
    public var mask = 0

    public init(intersection: Int = 0, drawn: Int = 0, mask: Int = 0) {
        self.intersection = intersection
        self.drawn = drawn
        self.mask = mask
    }

    public var union: Int { drawn + mask - intersection }
    /// 1 when both are empty: nothing disagrees.
    public var intersectionOverUnion: Double { union > 0 ? Double(intersection) / Double(union) : 1 }
}
