import Render

/// Connected components of a binary mask (8-connected, pixels ≥ 128 are foreground) by the
/// classic two-pass labelling with union–find (Rosenfeld & Pfaltz 1966; Wu, Otoo & Suzuki 2009
/// for the array-based union–find). The buffers grow to the largest frame seen and are then
/// reused: labelling a frame of a size already seen allocates nothing.
///
/// After `label`, `labels[k]` is the component (a root label, ≥ 1) of pixel k or 0 for
/// background, and `area`, `minX`… hold each root's pixel count and inclusive bounding box.
public struct MaskComponents: Sendable {
    public private(set) var width = 0
    public private(set) var height = 0
    /// Per pixel: 0 background, else the root label of its component.
    public private(set) var labels: [Int32] = []
    /// Union–find parents of provisional labels (index 0 unused).
    var parent: [Int32] = []
    public private(set) var area: [Int32] = []
    public private(set) var minX: [Int32] = []
    public private(set) var minY: [Int32] = []
    public private(set) var maxX: [Int32] = []
    public private(set) var maxY: [Int32] = []
    /// Per root label: 1 when `MaskRegion.find` chose the component as part of the hand.
    public internal(set) var selected: [UInt8] = []
    /// Provisional labels used by the last frame (1..<labelCount are valid indices).
    public private(set) var labelCount = 1

    public init() {}

    /// Grows the buffers for a `width` × `height` frame; a no-op for sizes already seen.
    mutating func reserve(width: Int, height: Int) {
        let pixels = width * height
        if labels.count < pixels { labels = [Int32](repeating: 0, count: pixels) }
        // A new provisional label needs its W, NW, N and NE neighbours all background, so at most
        // every other pixel of every row starts one: half the pixels, plus the unused label 0.
        let capacity = pixels / 2 + 2
        if parent.count < capacity {
            parent = [Int32](repeating: 0, count: capacity)
            area = parent; minX = parent; minY = parent; maxX = parent; maxY = parent
            selected = [UInt8](repeating: 0, count: capacity)
        }
        self.width = width
        self.height = height
    }

    /// Labels `mask` (`width * height` bytes, row-major).
    public mutating func label(mask: UnsafeBufferPointer<UInt8>, width: Int, height: Int) {
        precondition(width > 0 && height > 0 && mask.count >= width * height,
                     "MaskComponents.label: mask has \(mask.count) bytes for \(width)x\(height)")
        label(mask: MaskView(mask.baseAddress!, width: width, height: height))
    }

    /// Labels the mask seen through `mask` (a decoded mask video frame, read in place).
    public mutating func label(mask: MaskView) {
        let width = mask.width, height = mask.height
        precondition(width > 0 && height > 0, "MaskComponents.label: mask is \(width)x\(height)")
        reserve(width: width, height: height)
        var next: Int32 = 1
        labels.withUnsafeMutableBufferPointer { lab in
            parent.withUnsafeMutableBufferPointer { par in
                @inline(__always) func find(_ a: Int32) -> Int32 {
                    var r = a
                    while par[Int(r)] != r { r = par[Int(r)] }
                    var c = a
                    while par[Int(c)] != r { let n = par[Int(c)]; par[Int(c)] = r; c = n }  // path compression
                    return r
                }
                @inline(__always) func union(_ a: Int32, _ b: Int32) -> Int32 {
                    let ra = find(a), rb = find(b)
                    if ra == rb { return ra }
                    // The smaller label is the root, so roots stay the first label of their component.
                    if ra < rb { par[Int(rb)] = ra; return ra }
                    par[Int(ra)] = rb
                    return rb
                }
                // Pass 1: provisional labels from the already-visited neighbours W, NW, N, NE.
                for y in 0..<height {
                    let row = y * width
                    for x in 0..<width {
                        let k = row + x
                        guard mask.isHand(x: x, y: y) else { lab[k] = 0; continue }
                        var l: Int32 = 0
                        if x > 0, lab[k - 1] != 0 { l = lab[k - 1] }
                        if y > 0 {
                            let up = k - width
                            if x > 0, lab[up - 1] != 0 { l = l == 0 ? lab[up - 1] : union(l, lab[up - 1]) }
                            if lab[up] != 0 { l = l == 0 ? lab[up] : union(l, lab[up]) }
                            if x + 1 < width, lab[up + 1] != 0 { l = l == 0 ? lab[up + 1] : union(l, lab[up + 1]) }
                        }
                        if l == 0 {
                            l = next
                            par[Int(l)] = l
                            next += 1
                        }
                        lab[k] = l
                    }
                }
            }
        }
        labelCount = Int(next)
        // Pass 2: every pixel to its root, and the roots' statistics.
        let n = labelCount
        labels.withUnsafeMutableBufferPointer { lab in
            parent.withUnsafeMutableBufferPointer { par in
                area.withUnsafeMutableBufferPointer { ar in
                    minX.withUnsafeMutableBufferPointer { x0 in
                        minY.withUnsafeMutableBufferPointer { y0 in
                            maxX.withUnsafeMutableBufferPointer { x1 in
                                maxY.withUnsafeMutableBufferPointer { y1 in
                                    for l in 1..<max(n, 1) {
                                        // Parents have smaller labels than their children, so one
                                        // ascending sweep resolves every label to its root.
                                        par[l] = par[Int(par[l])]
                                        ar[l] = 0
                                        selected[l] = 0
                                        x0[l] = Int32.max; y0[l] = Int32.max; x1[l] = -1; y1[l] = -1
                                    }
                                    for y in 0..<height {
                                        let row = y * width
                                        for x in 0..<width where lab[row + x] != 0 {
                                            let r = par[Int(lab[row + x])]
                                            lab[row + x] = r
                                            let ri = Int(r)
                                            ar[ri] += 1
                                            x0[ri] = min(x0[ri], Int32(x)); x1[ri] = max(x1[ri], Int32(x))
                                            y0[ri] = min(y0[ri], Int32(y)); y1[ri] = max(y1[ri], Int32(y))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Whether provisional label `l` is a root (a component of its own).
    @inline(__always)
    public func isRoot(_ l: Int) -> Bool { parent[l] == Int32(l) }

    /// Whether pixel `k` belongs to a selected component.
    @inline(__always)
    public func isSelected(pixel k: Int) -> Bool {
        let l = labels[k]
        return l != 0 && selected[Int(l)] != 0
    }
}
