import Crop
import Evidence
import XCTest

/// AssociationNormRectCalculator's rules (association_calculator.h) on hand-made rectangles.
final class ROIAssociationTests: XCTestCase {
    func roi(_ x: Float, _ y: Float, _ size: Float = 100, rotation: Float = 0) -> HandROI {
        HandROI(centerX: x, centerY: y, width: size, height: size, rotation: rotation)
    }

    func testTrackedHandWinsOverItsOwnDetection() {
        let palm = TrackedROI(roi: roi(100, 100), track: nil, fromDetection: true)
        let elsewhere = TrackedROI(roi: roi(400, 100), track: nil, fromDetection: true)
        // IoU of (110, 105) vs (100, 100), 100 px squares: 90*95 / (2*10000 - 8550) = 0.746.
        let tracked = TrackedROI(roi: roi(110, 105, rotation: 1.0), track: 7, fromDetection: false)
        var out: [TrackedROI] = []
        ROIAssociation.associate(palms: [palm, elsewhere], tracked: [tracked], into: &out)
        XCTAssertEqual(out, [elsewhere, tracked])
    }

    func testOverlapAtOrBelowThresholdKeepsBoth() {
        // 100 px squares 50 px apart: IoU 50*100 / 15000 = 1/3.
        let palm = TrackedROI(roi: roi(100, 100), track: nil, fromDetection: true)
        let tracked = TrackedROI(roi: roi(150, 100), track: 1, fromDetection: false)
        var out: [TrackedROI] = []
        ROIAssociation.associate(palms: [palm], tracked: [tracked], into: &out)
        XCTAssertEqual(out, [palm, tracked])
    }

    func testConvergingTracksMerge() {
        let a = TrackedROI(roi: roi(100, 100), track: 1, fromDetection: false)
        let b = TrackedROI(roi: roi(105, 100), track: 2, fromDetection: false)
        var out: [TrackedROI] = []
        ROIAssociation.associate(palms: [], tracked: [a, b], into: &out)
        XCTAssertEqual(out, [b])
    }

    func testLaterPalmWithoutTrackInheritsRemovedTrack() {
        // A palm only inherits a number from a removed element that had one.
        let tracked = TrackedROI(roi: roi(100, 100), track: 4, fromDetection: false)
        let palm = TrackedROI(roi: roi(102, 100), track: nil, fromDetection: true)
        var out: [TrackedROI] = []
        ROIAssociation.associate(palms: [], tracked: [tracked, palm], into: &out)
        XCTAssertEqual(out.count, 1)
        XCTAssertEqual(out[0].track, 4)
        XCTAssertEqual(out[0].roi, palm.roi)
    }
}
