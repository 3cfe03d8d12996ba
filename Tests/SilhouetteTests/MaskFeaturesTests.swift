import Fitting
import Silhouette
import XCTest

/// The coverage grid against counts that follow from its definition.
final class MaskFeaturesTests: XCTestCase {
    func features(_ mask: [UInt8], width: Int, height: Int, mirrored: Bool = false) throws -> (MaskRegion, [Float]) {
        var components = MaskComponents()
        let region = try XCTUnwrap(MaskRegion.find(mask: mask, width: width, height: height, components: &components, minimumPixels: 1))
        var out = [Float](repeating: .nan, count: MaskFeatures.count)
        out.withUnsafeMutableBufferPointer { MaskFeatures.writeCoverage(components: components, region: region, mirrored: mirrored, into: $0) }
        return (region, out)
    }

    /// Each cell holds its covered fraction, so the grid's sum times a cell's area (pixels²) is the
    /// number of hand pixels in the region, whatever the region's size relative to the grid.
    func testSumTimesCellAreaIsThePixelCount() throws {
        var rng = SeededRandom(seed: 5)
        for (w, h) in [(300, 200), (40, 30), (17, 90)] {
            var mask = [UInt8](repeating: 0, count: w * h)
            // A random blob: a filled ellipse with ragged edges, partly beyond the right border.
            let cx = 0.7 * Double(w), cy = 0.5 * Double(h), ax = 0.4 * Double(w), ay = 0.3 * Double(h)
            for y in 0..<h {
                for x in 0..<w {
                    let d = pow((Double(x) - cx) / ax, 2) + pow((Double(y) - cy) / ay, 2)
                    if d < 1 - 0.2 * rng.uniform() { mask[y * w + x] = 200 }
                }
            }
            let (region, grid) = try features(mask, width: w, height: h)
            let cell = region.side / Double(MaskFeatures.gridSide)
            let sum = grid[0..<MaskFeatures.gridCount].reduce(0.0) { $0 + Double($1) }
            XCTAssertEqual(sum * cell * cell, Double(region.pixelCount), accuracy: 1e-3 * Double(region.pixelCount), "\(w)x\(h)")
            XCTAssertTrue(grid[0..<MaskFeatures.gridCount].allSatisfy { $0 >= 0 && $0 <= 1 + 1e-5 })
        }
    }

    /// A filled square covers the inner cells fully, the margin's not at all, and the cells its
    /// edge crosses by the fraction it covers: side 128 px gives a region of 160 px, cells of 5 px,
    /// and the square starts 16 px in, so cell 3 (15–20 px) is 4/5 covered.
    func testFilledSquareCoversItsCells() throws {
        let w = 200, h = 200
        var mask = [UInt8](repeating: 0, count: w * h)
        // Side 128: region 160, cell 5 px, margin 16 px = 3.2 cells.
        MaskRegionTests.fill(&mask, width: w, x: 36..<164, y: 36..<164)
        let (region, grid) = try features(mask, width: w, height: h)
        XCTAssertEqual(region.side, 160, accuracy: 1e-12)
        let n = MaskFeatures.gridSide
        XCTAssertEqual(grid[0], 0)
        XCTAssertEqual(grid[16 * n + 16], 1, accuracy: 1e-6)
        XCTAssertEqual(grid[3 * n + 16], 0.8, accuracy: 1e-6)  // cell 3 spans 15...20 px into the region; the square starts at 16
        XCTAssertEqual(grid[3 * n + 3], 0.64, accuracy: 1e-6)
    }

    func testMirroredGridReversesColumns() throws {
        var mask = [UInt8](repeating: 0, count: 120 * 80)
        MaskRegionTests.fill(&mask, width: 120, x: 20..<90, y: 10..<70)
        MaskRegionTests.fill(&mask, width: 120, x: 20..<40, y: 10..<30, value: 0)  // an asymmetric notch
        let (_, plain) = try features(mask, width: 120, height: 80)
        let (_, mirrored) = try features(mask, width: 120, height: 80, mirrored: true)
        let n = MaskFeatures.gridSide
        for r in 0..<n { for c in 0..<n { XCTAssertEqual(plain[r * n + c], mirrored[r * n + n - 1 - c]) } }
        XCTAssertNotEqual(Array(plain[0..<MaskFeatures.gridCount]), Array(mirrored[0..<MaskFeatures.gridCount]))
    }

    func testCanvasBoxAveraging() {
        let side = 4 * MaskFeatures.gridSide
        var canvas = [UInt8](repeating: 0, count: side * side)
        canvas[0] = 1
        for y in 8..<12 { for x in 4..<8 { canvas[y * side + x] = 1 } }
        var out = [Float](repeating: .nan, count: MaskFeatures.count)
        canvas.withUnsafeBufferPointer { c in out.withUnsafeMutableBufferPointer { MaskFeatures.writeCoverage(canvas: c, side: side, into: $0) } }
        XCTAssertEqual(out[0], 1 / 16)
        XCTAssertEqual(out[2 * MaskFeatures.gridSide + 1], 1)
        XCTAssertEqual(out[0..<MaskFeatures.gridCount].reduce(0, +), 1 + 1 / 16)
    }

    /// The extras: the centre's direction and the angular size, mirrored x for a left hand.
    func testExtras() {
        let camera = PinholeCamera(fx: 500, fy: 500, cx: 320, cy: 240)
        let region = MaskRegion(center: SIMD2(420, 190), side: 100, lo: .zero, hi: .zero, pixelCount: 1)
        var out = [Float](repeating: 0, count: MaskFeatures.count)
        out.withUnsafeMutableBufferPointer { MaskFeatures.writeExtras(region: region, camera: camera, mirrored: false, into: $0) }
        XCTAssertEqual(out[MaskFeatures.gridCount], 0.2, accuracy: 1e-6)
        XCTAssertEqual(out[MaskFeatures.gridCount + 1], -0.1, accuracy: 1e-6)
        XCTAssertEqual(out[MaskFeatures.gridCount + 2], 0.4, accuracy: 1e-6)
        out.withUnsafeMutableBufferPointer { MaskFeatures.writeExtras(region: region, camera: camera, mirrored: true, into: $0) }
        XCTAssertEqual(out[MaskFeatures.gridCount], -0.2, accuracy: 1e-6)
    }
}
