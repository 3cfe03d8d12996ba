import Foundation
import Render

/// Finds where the forearm begins in a hand mask, so that it can be cut away (`WristCut`). A
/// thresholded depth camera or a person segmenter shows the arm with the hand; fitted as hand, it
/// stretches the mesh up the arm (issue 14: 0.55 IoU against the hand alone on the stereo clip's
/// masks, 24 mm from the triangulated joints).
///
/// The method, on a grid of at most `gridSide` cells over the hand's blob:
/// 1. The palm is the blob's widest place: the centre P of its largest inscribed circle, radius r,
///    the maximum of the Euclidean distance transform (Felzenszwalb & Huttenlocher 2012). On 57 of
///    the stereo clip's 60 crops with the arm it falls inside the hand.
/// 2. Beyond `partRadius` r from P the blob falls apart into fingers, thumb and forearm.
/// 3. The forearm is a part that is thick (its own inscribed radius at least `armThickness` r; a
///    finger's is about a quarter), reaches at least `armReach` r from P, has no thin part (a finger)
///    within `fingerCone` of its direction, and, unless `anywhere`, leaves the frame. A forearm ends
///    at the elbow or the frame's edge; a thick bundle of fingers seen from the side does not leave
///    the frame: without that test 44 of 100 `synth-masks` hands without an arm were cut (1 with it).
/// 4. The cut crosses the arm at `cutDistance` r from P.
///
/// Buffers grow to the largest grid seen and are reused: a frame allocates nothing after that.
public struct ForearmCutter: Sendable {
    /// Cells on the blob's longer side: a finger (a tenth of the hand) stays several cells wide.
    public static let gridSide = 128
    /// Parts are what lies beyond this many palm radii from the palm's centre: past the palm's
    /// edge (1 r) and the knuckles, so that fingers separate from each other and from the arm.
    public static let partRadius = 1.5
    /// A forearm's half-width is about 0.7 of the palm's (wrist 6 cm against a palm 8.5 cm wide);
    /// a finger's about 0.25. Chosen on the stereo clip's crops with the arm.
    public static let armThickness = 0.45
    /// The middle fingertip lies about 3 palm radii from the palm's centre in a frontal view; a
    /// forearm cut by a 224-pixel crop's edge was measured reaching 2.6–3 r.
    public static let armReach = 2.5
    /// No finger points within this angle of the arm.
    public static let fingerCone = 70.0 * Double.pi / 180
    /// A thin part counts as a finger from this area, in squared palm radii (a speck does not).
    public static let fingerArea = 0.05
    /// The wrist crease lies about 1.2 palm radii from the palm's centre (an adult palm is about
    /// 8.5 cm wide and 10.5 cm long: anthropometric surveys such as ANSUR II), and hand datasets cut
    /// a tenth of the palm's length beyond it (scripts/stereo_masks.py does the same): 1.4 r.
    public static let cutDistance = 1.4

    private var occupied: [UInt8] = []
    private var edge: [UInt8] = []
    private var distance: [Double] = []   // squared, cells²
    private var partOf: [Int32] = []
    private var stack: [Int32] = []
    private var column: [Double] = []
    private var parabolaAt: [Int] = []
    private var boundaries: [Double] = []
    private var parts: [Part] = []

    public init() {}

    struct Part {
        var thickness = 0.0      // largest squared distance to the background, cells²
        var reach = 0.0          // largest squared distance from the palm's centre, cells²
        var area = 0
        var edgeCells = 0
        var sum = SIMD2<Double>.zero   // of the cells within partRadius + 1 radii, toward its direction
        var near = 0

        /// Unit vector from the palm's centre toward the part where it leaves the palm.
        var direction: SIMD2<Double> { sum / (sum * sum).sum().squareRoot() }

        /// Whether it is as thick as a forearm, for a palm of squared radius `r2`.
        func isThick(palm r2: Double) -> Bool { thickness >= ForearmCutter.armThickness * ForearmCutter.armThickness * r2 }
    }

    /// Where to cut the forearm off the hand's blob (`components`' selected labels, found by
    /// `MaskRegion.find` on `mask`), or nil when the blob shows no forearm. `anywhere` also cuts
    /// an arm that ends inside the frame (a depth camera's threshold).
    public mutating func find(mask: MaskView, region: MaskRegion, components c: MaskComponents,
                              anywhere: Bool = false) -> WristCut? {
        let extent = max(region.hi.x - region.lo.x, region.hi.y - region.lo.y)
        guard extent > 0 else { return nil }
        let cell = max(1, extent / Double(Self.gridSide))
        // One background cell of margin all round, so the distance transform sees the blob's edge
        // where the blob meets the frame's.
        let gw = Int(((region.hi.x - region.lo.x) / cell).rounded(.up)) + 2
        let gh = Int(((region.hi.y - region.lo.y) / cell).rounded(.up)) + 2
        let n = gw * gh
        reserve(n, longest: max(gw, gh))
        let x0 = region.lo.x - cell, y0 = region.lo.y - cell
        // 1. The blob on the grid: each cell the pixel under its centre.
        var palm = 0
        c.labels.withUnsafeBufferPointer { labels in
            c.selected.withUnsafeBufferPointer { selected in
                for j in 0..<gh {
                    let y = Int((y0 + (Double(j) + 0.5) * cell).rounded(.down))
                    let touchesY = y0 + Double(j) * cell <= 0 || y0 + Double(j + 1) * cell >= Double(c.height)
                    for i in 0..<gw {
                        let k = j * gw + i
                        let x = Int((x0 + (Double(i) + 0.5) * cell).rounded(.down))
                        var hand = false
                        if x >= 0, y >= 0, x < c.width, y < c.height {
                            let l = labels[y * c.width + x]
                            hand = l != 0 && selected[Int(l)] != 0 && !mask.cut.removes(x: x, y: y)
                        }
                        occupied[k] = hand ? 1 : 0
                        let touchesX = x0 + Double(i) * cell <= 0 || x0 + Double(i + 1) * cell >= Double(c.width)
                        edge[k] = hand && (touchesX || touchesY) ? 1 : 0
                    }
                }
            }
        }
        // 2. Squared distance to the nearest background cell, and the palm at its maximum.
        distanceTransform(width: gw, height: gh)
        for k in 0..<n where distance[k] > distance[palm] { palm = k }
        let r2 = distance[palm]
        guard r2 >= 4 else { return nil }   // a blob two cells thick has no palm to speak of
        let r = r2.squareRoot()
        let px = Double(palm % gw), py = Double(palm / gw)
        // 3. The parts beyond partRadius r, and what each is like.
        let inner2 = Self.partRadius * Self.partRadius * r2
        let near2 = (Self.partRadius + 1) * (Self.partRadius + 1) * r2
        parts.removeAll(keepingCapacity: true)
        for k in 0..<n { partOf[k] = -1 }
        for seed in 0..<n where occupied[seed] != 0 && partOf[seed] < 0 {
            let sx = Double(seed % gw) - px, sy = Double(seed / gw) - py
            guard sx * sx + sy * sy > inner2 else { continue }
            var part = Part()
            let label = Int32(parts.count)
            partOf[seed] = label
            stack.removeAll(keepingCapacity: true)
            stack.append(Int32(seed))
            while let top = stack.popLast() {
                let k = Int(top), i = k % gw, j = k / gw
                let dx = Double(i) - px, dy = Double(j) - py
                let d2 = dx * dx + dy * dy
                part.area += 1
                part.thickness = max(part.thickness, distance[k])
                part.reach = max(part.reach, d2)
                part.edgeCells += Int(edge[k])
                if d2 <= near2 {
                    part.sum += SIMD2(dx, dy)
                    part.near += 1
                }
                for nj in max(0, j - 1)...min(gh - 1, j + 1) {
                    for ni in max(0, i - 1)...min(gw - 1, i + 1) {
                        let m = nj * gw + ni
                        guard occupied[m] != 0, partOf[m] < 0 else { continue }
                        let mx = Double(ni) - px, my = Double(nj) - py
                        guard mx * mx + my * my > inner2 else { continue }
                        partOf[m] = label
                        stack.append(Int32(m))
                    }
                }
            }
            parts.append(part)
        }
        // 4. The arm among them.
        let cosCone = cos(Self.fingerCone)
        var arm: Part?
        for candidate in parts where candidate.near > 0 && candidate.isThick(palm: r2)
            && candidate.reach >= Self.armReach * Self.armReach * r2
            && (anywhere || Double(candidate.edgeCells) >= 0.5 * r) {
            let direction = candidate.direction
            let nearFinger = parts.contains { finger in
                finger.near > 0 && !finger.isThick(palm: r2) && Double(finger.area) >= Self.fingerArea * r2
                    && (finger.direction * direction).sum() >= cosCone
            }
            if !nearFinger, candidate.area > arm?.area ?? 0 { arm = candidate }
        }
        guard let arm else { return nil }
        let towardArm = arm.direction
        let centre = SIMD2(x0 + (px + 0.5) * cell, y0 + (py + 0.5) * cell)
        return WristCut(point: centre + Self.cutDistance * r * cell * towardArm, towardArm: towardArm)
    }

    private mutating func reserve(_ n: Int, longest: Int) {
        if occupied.count < n {
            occupied = [UInt8](repeating: 0, count: n)
            edge = occupied
            distance = [Double](repeating: 0, count: n)
            partOf = [Int32](repeating: 0, count: n)
            stack.reserveCapacity(n)
        }
        if column.count < longest {
            column = [Double](repeating: 0, count: longest)
            parabolaAt = [Int](repeating: 0, count: longest)
            boundaries = [Double](repeating: 0, count: longest + 1)
        }
        parts.reserveCapacity(64)
    }

    /// Exact squared Euclidean distance from each occupied cell to the nearest empty one, by the
    /// lower envelope of parabolas along columns, then rows (Felzenszwalb & Huttenlocher 2012).
    private mutating func distanceTransform(width: Int, height: Int) {
        let far = 1e20
        for k in 0..<(width * height) { distance[k] = occupied[k] != 0 ? far : 0 }
        for i in 0..<width { transform1D(start: i, stride: width, count: height) }
        for j in 0..<height { transform1D(start: j * width, stride: 1, count: width) }
    }

    private mutating func transform1D(start: Int, stride: Int, count: Int) {
        for q in 0..<count { column[q] = distance[start + q * stride] }
        var k = 0
        parabolaAt[0] = 0
        boundaries[0] = -.infinity
        boundaries[1] = .infinity
        for q in 1..<max(count, 1) {
            let fq = column[q] + Double(q * q)
            var v = parabolaAt[k]
            var s = (fq - (column[v] + Double(v * v))) / Double(2 * (q - v))
            // boundaries[0] is -∞, so k never falls below 0.
            while s <= boundaries[k] {
                k -= 1
                v = parabolaAt[k]
                s = (fq - (column[v] + Double(v * v))) / Double(2 * (q - v))
            }
            k += 1
            parabolaAt[k] = q
            boundaries[k] = s
            boundaries[k + 1] = .infinity
        }
        k = 0
        for q in 0..<count {
            while boundaries[k + 1] < Double(q) { k += 1 }
            let v = parabolaAt[k]
            distance[start + q * stride] = Double((q - v) * (q - v)) + column[v]
        }
    }
}
