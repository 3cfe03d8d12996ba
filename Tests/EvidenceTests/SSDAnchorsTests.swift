import Crop
import XCTest

/// The palm anchors against the layout palm_detection_cpu.pbtxt's SsdAnchorsCalculator options
/// imply, worked out by hand: a 24x24 grid (stride 8) with 2 anchors a cell, then one 12x12 grid
/// for the three stride-16 layers with 3 x 2 anchors a cell.
final class SSDAnchorsTests: XCTestCase {
    func testPalmAnchorLayout() {
        let anchors = SSDAnchors.generate(.palmDetection)
        XCTAssertEqual(anchors.count, 2016)
        XCTAssertEqual(anchors.count, 24 * 24 * 2 + 12 * 12 * 6)
        XCTAssertTrue(anchors.allSatisfy { $0.width == 1 && $0.height == 1 }, "fixed_anchor_size gives unit anchors")
        XCTAssertEqual(anchors[0], Anchor(xCenter: 0.5 / 24, yCenter: 0.5 / 24, width: 1, height: 1))
        XCTAssertEqual(anchors[1], anchors[0])
        XCTAssertEqual(anchors[2].xCenter, 1.5 / 24, accuracy: 1e-7)
        XCTAssertEqual(anchors[2 * 24].yCenter, 1.5 / 24, accuracy: 1e-7)
        XCTAssertEqual(anchors[1151].xCenter, 23.5 / 24, accuracy: 1e-7)
        XCTAssertEqual(anchors[1151].yCenter, 23.5 / 24, accuracy: 1e-7)
        XCTAssertEqual(anchors[1152].xCenter, 0.5 / 12, accuracy: 1e-7)
        for k in 1152..<1158 { XCTAssertEqual(anchors[k], anchors[1152]) }
        XCTAssertEqual(anchors[1158].xCenter, 1.5 / 12, accuracy: 1e-7)
        XCTAssertEqual(anchors[2015].xCenter, 11.5 / 12, accuracy: 1e-7)
        XCTAssertEqual(anchors[2015].yCenter, 11.5 / 12, accuracy: 1e-7)
    }

    func testAnchorSizesWithoutFixedSize() {
        var options = SSDAnchorOptions.palmDetection
        options.fixedAnchorSize = false
        let anchors = SSDAnchors.generate(options)
        XCTAssertEqual(anchors.count, 2016)
        // Layer 0: scale min_scale, then the interpolated anchor sqrt(s0 * s1), s1 = min + (max - min) / 3.
        let s0: Float = 0.1484375, s1: Float = 0.1484375 + (0.75 - 0.1484375) / 3
        XCTAssertEqual(anchors[0].width, s0, accuracy: 1e-6)
        XCTAssertEqual(anchors[1].width, (s0 * s1).squareRoot(), accuracy: 1e-6)
        // The last layer's interpolated anchor uses 1.0 as the next scale.
        XCTAssertEqual(anchors[2015].width, (0.75 as Float).squareRoot(), accuracy: 1e-6)
    }
}
