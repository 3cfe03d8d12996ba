import Crop
import Evidence
import XCTest

final class HandROITests: XCTestCase {
    func testTransformShiftsAlongTheRotatedAxesAndSquares() {
        // Rotation π/2: the crop's "up" points along +x in the frame, so shift_y -0.5 moves the
        // centre half the height to the right.
        let r = HandROI(centerX: 100, centerY: 100, width: 40, height: 20, rotation: .pi / 2)
            .transformed(scale: 2.6, shiftY: -0.5, squareLong: true)
        XCTAssertEqual(r.centerX, 110, accuracy: 1e-4)
        XCTAssertEqual(r.centerY, 100, accuracy: 1e-4)
        XCTAssertEqual(r.width, 104, accuracy: 1e-4)
        XCTAssertEqual(r.height, 104, accuracy: 1e-4)
        XCTAssertEqual(normalizeRadians(3 * .pi / 2), -.pi / 2, accuracy: 1e-6)
        XCTAssertEqual(normalizeRadians(-.pi), -.pi, accuracy: 1e-6)
    }

    func testPalmROIPointsFromWristToFingers() {
        // Wrist left of the middle finger's base: fingers point right, rotation π/2.
        var d = PalmDetection(score: 1, xmin: 0.4, ymin: 0.45, width: 0.2, height: 0.1)
        d.setKeypoint(0, SIMD2(0.4, 0.5))
        d.setKeypoint(2, SIMD2(0.6, 0.5))
        let roi = PalmROI.roi(for: d, frameWidth: 100, frameHeight: 100)
        XCTAssertEqual(roi.rotation, .pi / 2, accuracy: 1e-6)
        // Box 20 x 10 px at (50, 50): shifted by half its height (5 px) towards the fingers, squared
        // to 20 and scaled by 2.6.
        XCTAssertEqual(roi.centerX, 55, accuracy: 1e-4)
        XCTAssertEqual(roi.centerY, 50, accuracy: 1e-4)
        XCTAssertEqual(roi.width, 52, accuracy: 1e-4)
        // Upright hand: fingers above the wrist, rotation 0.
        d.setKeypoint(0, SIMD2(0.5, 0.6))
        d.setKeypoint(2, SIMD2(0.5, 0.4))
        XCTAssertEqual(PalmROI.roi(for: d, frameWidth: 100, frameHeight: 100).rotation, 0, accuracy: 1e-6)
    }

    /// MediaPipe's own next-frame ROIs, recomputed from its own landmarks.
    func testLandmarksToROIMatchesMediaPipe() throws {
        let oracle = try Fixtures.oracle()
        var checked = 0
        var worst: Float = 0
        for frame in oracle.frames where frame.hands.count == 1 && frame.rois_from_landmarks.count == 1 {
            var landmarks = [21 of SIMD2<Float>](repeating: .zero)
            for i in 0..<21 {
                landmarks[i] = SIMD2(Float(frame.hands[0].landmarks[i][0]), Float(frame.hands[0].landmarks[i][1]))
            }
            let ours = LandmarksToROI.roi(from: landmarks)
            let theirs = frame.rois_from_landmarks[0].handROI
            let centre = hypot(ours.centerX - theirs.centerX, ours.centerY - theirs.centerY)
            worst = max(worst, centre)
            XCTAssertLessThan(centre, 0.01, "frame \(frame.index)")
            XCTAssertEqual(ours.width, theirs.width, accuracy: 0.01, "frame \(frame.index)")
            XCTAssertEqual(ours.height, theirs.height, accuracy: 0.01, "frame \(frame.index)")
            XCTAssertEqual(normalizeRadians(ours.rotation - theirs.rotation), 0, accuracy: 1e-4, "frame \(frame.index)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 300)
        print("LandmarksToROI vs MediaPipe: \(checked) frames, worst centre offset \(worst) px")
    }
}
