import Fitting

/// The mask regressor's input: the hand's coverage of an N × N grid laid over its square region
/// (each cell the fraction of its area that is hand, exactly area-averaged), then three numbers
/// placing the region in the camera: the direction of its centre (x/z, y/z) and its angular size
/// (side / focal length). The direction says from where the hand is seen; the angular size, with
/// the hand's roughly known size, says how far away, hence how strong the perspective.
///
/// A left hand's features are the mirror image (columns reversed, direction x negated): the
/// network only ever sees right hands.
public enum MaskFeatures {
    /// Cells per side. 32 keeps a finger (a tenth of the hand's length) about three cells wide
    /// while the network stays small enough to commit.
    public static let gridSide = 32
    public static let gridCount = gridSide * gridSide
    public static let extraCount = 3
    public static let count = gridCount + extraCount

    /// Writes the coverage of the selected components of `components` inside `region` into
    /// `out[0..<gridCount]`, row-major from the region's top-left (mirrored: from its top-right).
    /// Pixels outside the frame count as background. Allocates nothing.
    public static func writeCoverage(components c: MaskComponents, region: MaskRegion, mirrored: Bool,
                                     into out: UnsafeMutableBufferPointer<Float>) {
        precondition(out.count >= gridCount, "MaskFeatures.writeCoverage: output has \(out.count) values, needs \(gridCount)")
        let n = gridSide
        for i in 0..<gridCount { out[i] = 0 }
        let cell = region.side / Double(n)
        guard cell > 0 else { return }
        let x0 = region.center.x - 0.5 * region.side, y0 = region.center.y - 0.5 * region.side
        let px0 = max(0, Int((x0).rounded(.down))), px1 = min(c.width, Int((x0 + region.side).rounded(.up)))
        let py0 = max(0, Int((y0).rounded(.down))), py1 = min(c.height, Int((y0 + region.side).rounded(.up)))
        guard px0 < px1, py0 < py1 else { return }
        let inverseCell = 1 / cell
        let width = c.width
        c.labels.withUnsafeBufferPointer { labels in
            c.selected.withUnsafeBufferPointer { selected in
                for y in py0..<py1 {
                    // The pixel row's span in cell units, and the cell rows it overlaps.
                    let gy0 = (Double(y) - y0) * inverseCell, gy1 = gy0 + inverseCell
                    let r0 = max(0, Int(gy0.rounded(.down))), r1 = min(n, Int(gy1.rounded(.up)))
                    if r0 >= r1 { continue }
                    let row = y * width
                    for x in px0..<px1 {
                        let l = labels[row + x]
                        guard l != 0, selected[Int(l)] != 0 else { continue }
                        let gx0 = (Double(x) - x0) * inverseCell, gx1 = gx0 + inverseCell
                        let c0 = max(0, Int(gx0.rounded(.down))), c1 = min(n, Int(gx1.rounded(.up)))
                        if c0 >= c1 { continue }
                        for r in r0..<r1 {
                            let wy = min(gy1, Double(r + 1)) - max(gy0, Double(r))
                            if wy <= 0 { continue }
                            for col in c0..<c1 {
                                let wx = min(gx1, Double(col + 1)) - max(gx0, Double(col))
                                if wx <= 0 { continue }
                                out[r * n + (mirrored ? n - 1 - col : col)] += Float(wy * wx)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Writes the coverage of a binary `canvas` (`side` × `side` bytes, nonzero is hand) that
    /// spans the region exactly, `side` a multiple of `gridSide`: box averaging, which is the
    /// area average at the canvas's resolution. For training, where silhouettes are rendered
    /// straight into the region.
    public static func writeCoverage(canvas: UnsafeBufferPointer<UInt8>, side: Int, into out: UnsafeMutableBufferPointer<Float>) {
        precondition(side % gridSide == 0 && canvas.count >= side * side && out.count >= gridCount,
                     "MaskFeatures.writeCoverage: canvas side \(side) must be a multiple of \(gridSide)")
        let k = side / gridSide
        let scale = 1 / Float(k * k)
        for r in 0..<gridSide {
            for col in 0..<gridSide {
                var count = 0
                for y in (r * k)..<((r + 1) * k) {
                    let row = y * side
                    for x in (col * k)..<((col + 1) * k) where canvas[row + x] != 0 { count += 1 }
                }
                out[r * gridSide + col] = Float(count) * scale
            }
        }
    }

    /// Writes the region's place in the camera into `out[gridCount..<count]`.
    public static func writeExtras(region: MaskRegion, camera: PinholeCamera, mirrored: Bool,
                                   into out: UnsafeMutableBufferPointer<Float>) {
        precondition(out.count >= count, "MaskFeatures.writeExtras: output has \(out.count) values, needs \(count)")
        let ray = camera.undistort(region.center)
        out[gridCount] = Float(mirrored ? -ray.x : ray.x)
        out[gridCount + 1] = Float(ray.y)
        // Hands 0.25–1 m away fill 0.25–1 rad with the margin; doubled to about unit range.
        out[gridCount + 2] = Float(2 * region.side / camera.fx)
    }
}
