import Render
import Silhouette
import XCTest

/// `ForearmCutter` on hands drawn from discs and bars, whose wrist is known by construction: a
/// palm of radius 30 px at (100, 100), four fingers and a thumb, and a forearm 44 px wide below it.
final class ForearmCutterTests: XCTestCase {
    static let width = 200, height = 240
    static let palm = SIMD2<Double>(100, 100), radius = 30.0

    /// The hand, and a forearm from the palm down to `armEnd` (none when nil).
    static func hand(armEnd: Int?) -> [UInt8] {
        var mask = [UInt8](repeating: 0, count: width * height)
        for y in 0..<height {
            for x in 0..<width {
                let p = SIMD2(Double(x) + 0.5, Double(y) + 0.5) - palm
                if (p * p).sum() <= radius * radius { mask[y * width + x] = 255 }
            }
        }
        // Fingers 10 px wide, 5 px apart, up from the palm; a thumb out to the left.
        for f in 0..<4 { MaskRegionTests.fill(&mask, width: width, x: (73 + 15 * f)..<(83 + 15 * f), y: 10..<90) }
        MaskRegionTests.fill(&mask, width: width, x: 30..<80, y: 95..<107)
        if let armEnd { MaskRegionTests.fill(&mask, width: width, x: 78..<122, y: 100..<armEnd) }
        return mask
    }

    func cut(_ mask: [UInt8], anywhere: Bool = false) throws -> WristCut? {
        var components = MaskComponents()
        var cutter = ForearmCutter()
        return try mask.withUnsafeBufferPointer { pixels in
            let view = MaskView(pixels.baseAddress!, width: Self.width, height: Self.height)
            let region = try XCTUnwrap(MaskRegion.find(mask: view, components: &components))
            return cutter.find(mask: view, region: region, components: components, anywhere: anywhere)
        }
    }

    func testAForearmLeavingTheFrameIsCutAtTheWrist() throws {
        let c = try XCTUnwrap(try cut(Self.hand(armEnd: Self.height)))
        XCTAssertEqual(c.towardArm.x, 0, accuracy: 0.05)
        XCTAssertEqual(c.towardArm.y, 1, accuracy: 0.01)
        // 1.4 palm radii below the palm's centre (the grid's cells are a pixel or two).
        let expected = Self.palm.y + ForearmCutter.cutDistance * Self.radius
        XCTAssertEqual(c.point.y, expected, accuracy: 4)
        // The cut keeps every finger and the whole palm, and takes the arm below it.
        XCTAssertFalse(c.removes(x: 100, y: 129))
        XCTAssertFalse(c.removes(x: 78, y: 12))
        XCTAssertTrue(c.removes(x: 100, y: 150))
    }

    func testAHandWithoutAForearmIsNotCut() throws {
        XCTAssertNil(try cut(Self.hand(armEnd: nil)))
        XCTAssertNil(try cut(Self.hand(armEnd: nil), anywhere: true))
        // A stump to a dataset's wrist cut is no forearm either.
        XCTAssertNil(try cut(Self.hand(armEnd: 140), anywhere: true))
    }

    func testAForearmEndingInsideTheFrameIsCutOnlyWhenAsked() throws {
        let hand = Self.hand(armEnd: 220)
        XCTAssertNil(try cut(hand), "auto cuts only an arm that leaves the frame")
        let c = try XCTUnwrap(try cut(hand, anywhere: true))
        XCTAssertEqual(c.towardArm.y, 1, accuracy: 0.01)
    }

    func testTheCutMaskCountsNoArm() throws {
        var mask = Self.hand(armEnd: Self.height)
        let c = try XCTUnwrap(try cut(mask))
        mask.withUnsafeMutableBufferPointer { pixels in
            let view = MaskView(UnsafePointer(pixels.baseAddress!), width: Self.width, height: Self.height).cutting(c)
            var components = MaskComponents()
            let region = MaskRegion.find(mask: view, components: &components)
            XCTAssertNotNil(region)
            // Nothing of the hand is lost, and the arm ends at the cut.
            XCTAssertEqual(region!.lo.y, 10)
            XCTAssertLessThanOrEqual(region!.hi.y, c.point.y + 1)
            XCTAssertTrue(view.isHand(x: 100, y: 120))
            XCTAssertFalse(view.isHand(x: 100, y: 200))
        }
    }
}
