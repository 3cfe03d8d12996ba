import Foundation

/// Backgrounds for synthetic clips, made once per clip from the seed: a two-colour gradient, optionally
/// with clutter (soft-edged ellipses and boxes in muted colours) and two octaves of value noise. The
/// synthetic-hand notes found textured clutter the hardest background for a flat silhouette and no
/// problem for a properly shaded hand, so the default clip uses it.
public enum SynthBackground {
    public enum Style: String, Sendable, CaseIterable {
        case gradient
        case cluttered
    }

    /// Packed RGB24 rows of `width * 3` bytes.
    public static func make(width: Int, height: Int, style: Style, seed: UInt64) -> [UInt8] {
        var rng = SynthRandom(seed: seed ^ 0xB4C6_11D0_5E7A_91F3)
        func muted() -> SIMD3<Double> {
            // Low-saturation colours: walls, desks, fabric; never skin-like saturated oranges.
            let grey = rng.uniform(0.25, 0.8)
            return SIMD3(repeating: grey) + SIMD3(rng.uniform(-0.12, 0.12), rng.uniform(-0.1, 0.1), rng.uniform(-0.08, 0.16))
        }
        let top = muted(), bottom = muted()
        let angle = rng.uniform(-0.5, 0.5)
        var px = [SIMD3<Double>](repeating: .zero, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let u = (Double(y) / Double(height)) * cos(angle) + (Double(x) / Double(width)) * sin(angle)
                px[y * width + x] = top + min(max(u, 0), 1) * (bottom - top)
            }
        }
        if style == .cluttered {
            for _ in 0..<22 {
                let c = muted()
                let cx = rng.uniform(0, Double(width)), cy = rng.uniform(0, Double(height))
                let rx = rng.uniform(0.04, 0.25) * Double(width), ry = rng.uniform(0.04, 0.25) * Double(height)
                let box = rng.uniform(0, 1) < 0.5
                let alpha = rng.uniform(0.35, 0.85), soft = rng.uniform(2, 10)
                let x0 = max(0, Int(cx - rx - soft)), x1 = min(width, Int(cx + rx + soft) + 1)
                let y0 = max(0, Int(cy - ry - soft)), y1 = min(height, Int(cy + ry + soft) + 1)
                guard x0 < x1, y0 < y1 else { continue }
                for y in y0..<y1 {
                    for x in x0..<x1 {
                        let dx = (Double(x) - cx), dy = (Double(y) - cy)
                        // Signed distance (pixels, negative inside) to the box or, roughly, the ellipse.
                        let d = box ? max(abs(dx) - rx, abs(dy) - ry)
                                    : ((dx * dx) / (rx * rx) + (dy * dy) / (ry * ry)).squareRoot() * min(rx, ry) - min(rx, ry)
                        let a = alpha * min(max(0.5 - d / soft, 0), 1)
                        if a > 0 { px[y * width + x] += a * (c - px[y * width + x]) }
                    }
                }
            }
            // Value noise: random values on a coarse lattice, bilinearly interpolated, two octaves.
            for (cell, amplitude) in [(24, 0.05), (6, 0.025)] {
                let gw = width / cell + 2, gh = height / cell + 2
                let lattice = (0..<(gw * gh)).map { _ in rng.uniform(-1, 1) }
                for y in 0..<height {
                    let fy = Double(y) / Double(cell), iy = Int(fy), ty = fy - Double(iy)
                    for x in 0..<width {
                        let fx = Double(x) / Double(cell), ix = Int(fx), tx = fx - Double(ix)
                        let a = lattice[iy * gw + ix], b = lattice[iy * gw + ix + 1]
                        let c = lattice[(iy + 1) * gw + ix], d = lattice[(iy + 1) * gw + ix + 1]
                        let v = (a + tx * (b - a)) + ty * ((c + tx * (d - c)) - (a + tx * (b - a)))
                        px[y * width + x] += SIMD3(repeating: amplitude * v)
                    }
                }
            }
        }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        for (i, c) in px.enumerated() {
            let q = (c * 255).rounded(.toNearestOrAwayFromZero)
            out[3 * i] = UInt8(min(max(q.x, 0), 255))
            out[3 * i + 1] = UInt8(min(max(q.y, 0), 255))
            out[3 * i + 2] = UInt8(min(max(q.z, 0), 255))
        }
        return out
    }
}
