import Foundation

/// A soft silhouette in the manner of SoftRas (Liu, Li, Chen, Li: "Soft Rasterizer: A Differentiable
/// Renderer for Image-based 3D Reasoning", ICCV 2019). Each triangle j gives pixel p the probability
/// `D_j(p) = sigmoid(δ · d²(p, j) / σ)`, with d the distance from p to the triangle's boundary and δ = +1
/// inside, -1 outside (their eq. 1); the silhouette is `A(p) = 1 - Π_j (1 - D_j(p))` (their eq. 4).
/// Pixel (x, y) samples its centre (x + ½, y + ½), like the rasterizer. Unlike a hard silhouette, A moves smoothly with the vertices, so a mask residual has a gradient.
///
/// σ is in squared pixels of this buffer (SoftRas uses 1e-4 in NDC; about 1 px² here is the same blur
/// at a 200-pixel crop). A triangle is visited only where `d²/σ < cutoff`, since beyond that its
/// probability is below sigmoid(-cutoff), far under a grey level.
public struct SoftSilhouette: Sendable {
    public let width: Int
    public let height: Int
    public var sigma: Float
    /// Probabilities beyond this many σ of an edge are treated as 0 (outside) or 1 (inside).
    public var cutoff: Float = 12
    /// Pixels whose complement Π(1 − D) is below this have no gradient worth computing.
    static let gradientFloor: Float = 1e-6
    /// A(p) per pixel after `render`, row-major.
    public private(set) var probability: [Float]
    /// Π_j (1 - D_j(p)) per pixel: kept so the backward pass can divide one factor out.
    private var complement: [Float]

    public init(width: Int, height: Int, sigma: Float = 1) {
        precondition(width > 0 && height > 0 && sigma > 0, "SoftSilhouette: size \(width)x\(height), sigma \(sigma) must be positive")
        self.width = width
        self.height = height
        self.sigma = sigma
        probability = Array(repeating: 0, count: width * height)
        complement = Array(repeating: 1, count: width * height)
    }

    /// The squared distance from p to the triangle's boundary, signed-ness δ, and the pieces its gradient needs:
    /// which edge is closest (its start vertex index 0…2) and the closest point's parameter t along it.
    @usableFromInline
    struct Closest {
        var d2: Float
        var inside: Bool
        var edge: Int
        var t: Float
        var q: SIMD2<Float>
    }

    @inline(__always)
    static func closest(_ p: SIMD2<Float>, _ v: (SIMD2<Float>, SIMD2<Float>, SIMD2<Float>), area: Float) -> Closest {
        @inline(__always) func seg(_ a: SIMD2<Float>, _ b: SIMD2<Float>) -> (Float, Float, SIMD2<Float>) {
            let ab = b - a
            let l2 = (ab * ab).sum()
            let t = l2 > 0 ? min(max(((p - a) * ab).sum() / l2, 0), 1) : 0
            let q = a + t * ab
            let d = p - q
            return ((d * d).sum(), t, q)
        }
        @inline(__always) func cross(_ a: SIMD2<Float>, _ b: SIMD2<Float>) -> Float { a.x * b.y - a.y * b.x }
        let s0 = seg(v.0, v.1), s1 = seg(v.1, v.2), s2 = seg(v.2, v.0)
        var best = Closest(d2: s0.0, inside: false, edge: 0, t: s0.1, q: s0.2)
        if s1.0 < best.d2 { best = Closest(d2: s1.0, inside: false, edge: 1, t: s1.1, q: s1.2) }
        if s2.0 < best.d2 { best = Closest(d2: s2.0, inside: false, edge: 2, t: s2.1, q: s2.2) }
        let e0 = cross(v.1 - v.0, p - v.0), e1 = cross(v.2 - v.1, p - v.1), e2 = cross(v.0 - v.2, p - v.2)
        best.inside = area > 0 ? (e0 >= 0 && e1 >= 0 && e2 >= 0) : (e0 <= 0 && e1 <= 0 && e2 <= 0)
        return best
    }

    /// Visits every (triangle, pixel) pair within reach, giving x = δ d²/σ and the closest-edge data.
    @inline(__always)
    private static func forEachPair(width: Int, height: Int, sigma: Float, cutoff: Float,
                                    screen: UnsafeBufferPointer<SIMD2<Float>>, faces: [SIMD3<Int32>],
                                    skipBelow complement: UnsafeBufferPointer<Float>? = nil,
                                    _ body: (Int, Int, Int, Float, Closest) -> Void) {
        let reach = (cutoff * sigma).squareRoot()
        let invSigma = 1 / sigma
        let grid = PixelRect(minX: 0, minY: 0, maxX: width, maxY: height)
        for (f, face) in faces.enumerated() {
            let i0 = Int(face.x), i1 = Int(face.y), i2 = Int(face.z)
            guard i0 >= 0, i1 >= 0, i2 >= 0, i0 < screen.count, i1 < screen.count, i2 < screen.count else { continue }
            let v = (screen[i0], screen[i1], screen[i2])
            let area = (v.1.x - v.0.x) * (v.2.y - v.0.y) - (v.1.y - v.0.y) * (v.2.x - v.0.x)
            if area == 0 || !area.isFinite { continue }
            let lo = pointwiseMin(v.0, pointwiseMin(v.1, v.2)), hi = pointwiseMax(v.0, pointwiseMax(v.1, v.2))
            let r = PixelRect.covering(lo: lo, hi: hi, margin: reach).intersection(grid)
            if r.isEmpty { continue }
            for y in r.minY..<r.maxY {
                for x in r.minX..<r.maxX {
                    if let complement, complement[y * width + x] < gradientFloor { continue }
                    let c = SoftSilhouette.closest(SIMD2(Float(x) + 0.5, Float(y) + 0.5), v, area: area)
                    let s = c.d2 * invSigma
                    if !c.inside && s > cutoff { continue }
                    body(f, x, y, c.inside ? s : -s, c)
                }
            }
        }
    }

    /// Renders the soft silhouette of the triangles `faces` over 2D points `screen` (buffer pixels).
    public mutating func render(screen: [SIMD2<Float>], faces: [SIMD3<Int32>]) {
        let w = width, h = height, sg = sigma, co = cutoff
        complement.withUnsafeMutableBufferPointer { comp in
            for k in 0..<comp.count { comp[k] = 1 }
            screen.withUnsafeBufferPointer { sv in
                SoftSilhouette.forEachPair(width: w, height: h, sigma: sg, cutoff: co, screen: sv, faces: faces) { _, x, y, s, _ in
                    // 1 - sigmoid(s) = sigmoid(-s), computed without cancellation.
                    comp[y * w + x] *= 1 / (1 + expf(s))
                }
            }
        }
        complement.withUnsafeBufferPointer { comp in
            probability.withUnsafeMutableBufferPointer { pr in
                for k in 0..<pr.count { pr[k] = 1 - comp[k] }
            }
        }
    }

    /// Per-pair gradient of A(p) with respect to the triangle's three 2D vertices, after `render`.
    /// Calls `body(face, pixelIndex, dA/dv0, dA/dv1, dA/dv2)`; pairs whose gradient is negligible
    /// (saturated sigmoids, or a pixel already covered by another triangle) are skipped.
    @inline(__always)
    private func forEachGradient(screen: UnsafeBufferPointer<SIMD2<Float>>, faces: [SIMD3<Int32>],
                                 _ body: (Int, Int, SIMD2<Float>, SIMD2<Float>, SIMD2<Float>) -> Void) {
        let w = width, invSigma = 1 / sigma
        complement.withUnsafeBufferPointer { comp in
            SoftSilhouette.forEachPair(width: w, height: height, sigma: sigma, cutoff: cutoff,
                                       screen: screen, faces: faces, skipBelow: comp) { f, x, y, s, c in
                let k = y * w + x
                // ∂A/∂D_j = Π_{i≠j}(1 − D_i) and ∂D_j/∂s = D_j (1 − D_j), so ∂A/∂s = Π_i (1 − D_i) · D_j:
                // the stored complement times D_j, with no division. Where the complement is tiny (inside the
                // silhouette) no triangle has a gradient, which is why those pixels are skipped outright.
                let d = 1 / (1 + expf(-s))
                let scale = comp[k] * d * (c.inside ? invSigma : -invSigma)
                if abs(scale) < 1e-9 { return }
                // d² = |p - q|² with q = a + t(b - a) the closest point of the closest edge (a, b). At an
                // interior minimum ∂d²/∂t = 0, so ∂d²/∂a = 2(q - p)(1 - t), ∂d²/∂b = 2(q - p)t; at a clamped
                // end (t = 0 or 1) the same formulas give the vertex distance's gradient.
                let g = 2 * (c.q - SIMD2(Float(x) + 0.5, Float(y) + 0.5)) * scale
                let ga = g * (1 - c.t), gb = g * c.t
                switch c.edge {
                case 0: body(f, k, ga, gb, .zero)
                case 1: body(f, k, .zero, ga, gb)
                default: body(f, k, gb, .zero, ga)
                }
            }
        }
    }

    /// Backward pass: the gradient of `L = Σ_p dLdA[p] · A(p)` with respect to each 2D vertex, added into
    /// `gradient` (resized to `screen.count` and zeroed first). Call after `render` with the same inputs.
    public func backward(screen: [SIMD2<Float>], faces: [SIMD3<Int32>], dLdA: [Float], into gradient: inout [SIMD2<Float>]) {
        precondition(dLdA.count == width * height, "SoftSilhouette.backward: dLdA has \(dLdA.count) values, expected \(width * height)")
        if gradient.count != screen.count { gradient = Array(repeating: .zero, count: screen.count) }
        gradient.withUnsafeMutableBufferPointer { g in
            for i in 0..<g.count { g[i] = .zero }
            screen.withUnsafeBufferPointer { sv in
                dLdA.withUnsafeBufferPointer { up in
                    forEachGradient(screen: sv, faces: faces) { f, k, g0, g1, g2 in
                        let u = up[k]
                        if u == 0 { return }
                        let face = faces[f]
                        g[Int(face.x)] += u * g0
                        g[Int(face.y)] += u * g1
                        g[Int(face.z)] += u * g2
                    }
                }
            }
        }
    }

    /// Jacobian rows: `jacobian[p * P + k] = ∂A(p)/∂θ_k`, given each vertex's 2×P Jacobian of its buffer
    /// position `vertexJacobian[(2 v + r) * P + k]` (r = 0 for x, 1 for y). `rowActive[p]` is set where the
    /// row is not all zeros, so normal equations can skip the rest. Call after `render`.
    public func jacobian(screen: [SIMD2<Float>], faces: [SIMD3<Int32>], vertexJacobian: [Float], parameterCount P: Int,
                         into jacobian: inout [Float], rowActive: inout [Bool]) {
        precondition(vertexJacobian.count == screen.count * 2 * P,
                     "SoftSilhouette.jacobian: vertexJacobian has \(vertexJacobian.count) values, expected \(screen.count * 2 * P)")
        let n = width * height
        if jacobian.count != n * P { jacobian = Array(repeating: 0, count: n * P) }
        if rowActive.count != n { rowActive = Array(repeating: false, count: n) }
        jacobian.withUnsafeMutableBufferPointer { jac in
            rowActive.withUnsafeMutableBufferPointer { act in
                for k in 0..<jac.count { jac[k] = 0 }
                for k in 0..<act.count { act[k] = false }
                vertexJacobian.withUnsafeBufferPointer { vj in
                    screen.withUnsafeBufferPointer { sv in
                        forEachGradient(screen: sv, faces: faces) { f, k, g0, g1, g2 in
                            act[k] = true
                            let face = faces[f]
                            let row = jac.baseAddress! + k * P
                            @inline(__always) func add(_ v: Int32, _ g: SIMD2<Float>) {
                                if g == .zero { return }
                                let jx = vj.baseAddress! + Int(v) * 2 * P, jy = jx + P
                                for c in 0..<P { row[c] += g.x * jx[c] + g.y * jy[c] }
                            }
                            add(face.x, g0)
                            add(face.y, g1)
                            add(face.z, g2)
                        }
                    }
                }
            }
        }
    }
}
