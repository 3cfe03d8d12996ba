import Silhouette
import XCTest

/// `MaskRegion.find` on masks built by hand, whose answers are known by construction.
final class MaskRegionTests: XCTestCase {
    static func fill(_ mask: inout [UInt8], width: Int, x: Range<Int>, y: Range<Int>, value: UInt8 = 255) {
        for yy in y { for xx in x { mask[yy * width + xx] = value } }
    }

    func testEmptyMaskHasNoRegion() {
        var components = MaskComponents()
        let mask = [UInt8](repeating: 0, count: 64 * 48)
        XCTAssertNil(MaskRegion.find(mask: mask, width: 64, height: 48, components: &components))
        // Values below 128 are background.
        let dim = [UInt8](repeating: 127, count: 64 * 48)
        XCTAssertNil(MaskRegion.find(mask: dim, width: 64, height: 48, components: &components))
    }

    func testSpecksAloneAreNoHand() {
        var components = MaskComponents()
        var mask = [UInt8](repeating: 0, count: 100 * 100)
        // Twenty 2 × 2 specks, 80 pixels in all but none near the minimum of 100 on its own.
        for i in 0..<20 { Self.fill(&mask, width: 100, x: (i * 5)..<(i * 5 + 2), y: (i * 4)..<(i * 4 + 2)) }
        XCTAssertNil(MaskRegion.find(mask: mask, width: 100, height: 100, components: &components))
    }

    func testRectangleAmongSpecksGivesItsSquare() throws {
        var components = MaskComponents()
        var mask = [UInt8](repeating: 0, count: 200 * 120)
        Self.fill(&mask, width: 200, x: 40..<100, y: 30..<50)  // 60 × 20
        Self.fill(&mask, width: 200, x: 150..<152, y: 100..<102)  // specks far away
        Self.fill(&mask, width: 200, x: 5..<6, y: 5..<6)
        let r = try XCTUnwrap(MaskRegion.find(mask: mask, width: 200, height: 120, components: &components))
        XCTAssertEqual(r.lo, SIMD2(40, 30))
        XCTAssertEqual(r.hi, SIMD2(100, 50))
        XCTAssertEqual(r.center, SIMD2(70, 40))
        XCTAssertEqual(r.side, 60 * MaskRegion.marginFactor, accuracy: 1e-12)
        XCTAssertEqual(r.pixelCount, 1200)
        XCTAssertTrue(components.isSelected(pixel: 40 * 200 + 70))
        XCTAssertFalse(components.isSelected(pixel: 100 * 200 + 150))
    }

    func testLargerOfTwoDistantBlobsIsTheHand() throws {
        var components = MaskComponents()
        var mask = [UInt8](repeating: 0, count: 300 * 100)
        Self.fill(&mask, width: 300, x: 10..<40, y: 10..<40)    // 900 pixels
        Self.fill(&mask, width: 300, x: 200..<250, y: 20..<60)  // 2000 pixels
        let r = try XCTUnwrap(MaskRegion.find(mask: mask, width: 300, height: 100, components: &components))
        XCTAssertEqual(r.lo, SIMD2(200, 20))
        XCTAssertEqual(r.hi, SIMD2(250, 60))
        XCTAssertEqual(r.pixelCount, 2000)
    }

    /// A finger cut off at a thin joint stays part of the hand; diagonal contact connects.
    func testDetachedPartNearbyAndDiagonalsJoin() throws {
        var components = MaskComponents()
        var mask = [UInt8](repeating: 0, count: 200 * 200)
        Self.fill(&mask, width: 200, x: 50..<100, y: 50..<100)    // palm, 2500
        Self.fill(&mask, width: 200, x: 105..<125, y: 60..<67)    // detached finger, 140 (≥ 5% of 2501)
        Self.fill(&mask, width: 200, x: 180..<200, y: 180..<187)  // as large, but far: another object
        Self.fill(&mask, width: 200, x: 100..<101, y: 100..<101)  // touches the palm's corner diagonally
        let r = try XCTUnwrap(MaskRegion.find(mask: mask, width: 200, height: 200, components: &components))
        XCTAssertEqual(r.lo, SIMD2(50, 50))
        XCTAssertEqual(r.hi, SIMD2(125, 101))
        XCTAssertEqual(r.pixelCount, 2500 + 140 + 1)
    }

    /// A hand cut by the frame's corner: the box stops at the frame, the square reaches past it.
    func testHandAtTheBorder() throws {
        var components = MaskComponents()
        var mask = [UInt8](repeating: 0, count: 80 * 60)
        Self.fill(&mask, width: 80, x: 50..<80, y: 40..<60)
        let r = try XCTUnwrap(MaskRegion.find(mask: mask, width: 80, height: 60, components: &components))
        XCTAssertEqual(r.lo, SIMD2(50, 40))
        XCTAssertEqual(r.hi, SIMD2(80, 60))
        XCTAssertGreaterThan(r.center.x + 0.5 * r.side, 80)
    }

    /// The workspace grows to the larger frame and labels smaller frames correctly afterwards:
    /// labels left from a previous, larger frame must not leak into the next.
    func testReuseAcrossFrameSizes() throws {
        var components = MaskComponents()
        var big = [UInt8](repeating: 255, count: 120 * 120)
        XCTAssertEqual(MaskRegion.find(mask: big, width: 120, height: 120, components: &components)?.pixelCount, 14400)
        var small = [UInt8](repeating: 0, count: 40 * 30)
        Self.fill(&small, width: 40, x: 10..<30, y: 5..<15)
        let r = try XCTUnwrap(MaskRegion.find(mask: small, width: 40, height: 30, components: &components))
        XCTAssertEqual(r.pixelCount, 200)
        XCTAssertEqual(r.lo, SIMD2(10, 5))
        big[0] = 0
        XCTAssertEqual(MaskRegion.find(mask: big, width: 120, height: 120, components: &components)?.pixelCount, 14399)
    }

    /// A checkerboard: 8-connectivity joins every diagonal, so it is one component; many
    /// provisional labels must merge (the worst case of the union–find).
    func testCheckerboardIsOneComponent() throws {
        var components = MaskComponents()
        let w = 63, h = 41
        var mask = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w where (x + y) % 2 == 0 { mask[y * w + x] = 255 } }
        let r = try XCTUnwrap(MaskRegion.find(mask: mask, width: w, height: h, components: &components))
        XCTAssertEqual(r.pixelCount, (w * h + 1) / 2)
        XCTAssertEqual(r.lo, SIMD2(0, 0))
        XCTAssertEqual(r.hi, SIMD2(Double(w), Double(h)))
    }
}
