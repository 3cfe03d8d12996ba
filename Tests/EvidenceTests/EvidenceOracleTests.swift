import Crop
import Evidence
import Foundation
import Neural
import Video
import XCTest

/// HandMesh's tracker against MediaPipe's legacy Python solution (model_complexity=1, tracking,
/// max_num_hands=2) on the real clip: scripts/mediapipe_oracle.py writes MediaPipe's answers.
final class EvidenceOracleTests: XCTestCase {
    /// Both sides must see the same pixels: the oracle decoded with the ffmpeg CLI, HandMesh with
    /// its own Video target.
    func testDecodersAgree() throws {
        let oracle = try Fixtures.oracle()
        var checked = 0
        try Fixtures.forEachFrame { frame in
            guard let expected = oracle.pixel_sums[String(frame.index)] else { return }
            var sums = [Int](repeating: 0, count: 3)
            frame.pixels.withUnsafeBytes { bytes in
                for y in 0..<frame.height {
                    let row = bytes.baseAddress!.advanced(by: y * frame.pixels.rowBytes).assumingMemoryBound(to: UInt8.self)
                    for x in 0..<frame.width {
                        for c in 0..<3 { sums[c] += Int(row[3 * x + c]) }
                    }
                }
            }
            let pixels = Double(frame.width * frame.height)
            let meanDifference = zip(sums, expected).map { abs(Double($0 - $1)) / pixels }.max()!
            print("frame \(frame.index): channel sums HandMesh \(sums) ffmpeg CLI \(expected)")
            XCTAssertLessThan(meanDifference, 0.01, "frame \(frame.index): decoders disagree by \(meanDifference) levels a pixel")
            checked += 1
        }
        XCTAssertEqual(checked, oracle.pixel_sums.count)
    }

    /// The conditions (#1: ≥ 98% of MediaPipe's hands found, ≤ 2% false, mean 2D landmark
    /// distance ≤ 2 px), in fp32 (LiteRT's arithmetic) and in int8 (the default where the CPU has VNNI).
    func testAgreesWithMediaPipe() throws { try checkAgreement(.float32) }
    func testAgreesWithMediaPipeInInt8() throws { try checkAgreement(.int8) }
    /// The palm network in int8 too (not the default), on MediaPipe's schedule (the detector on every
    /// frame while fewer hands are tracked than allowed). Its box at frame 195 makes a 293 px ROI
    /// inside the tracked hand's 416 px one, IoU 0.496, under association's 0.5, so a second track
    /// starts on the same hand; the duplicate merge (`HandTracker.sameHand`) must fold it into the first.
    func testAgreesWithMediaPipeWithInt8PalmOnEveryFrame() throws {
        try checkAgreement(.int8, palm: .int8, detectionInterval: 1)
    }

    func checkAgreement(_ precision: Precision, palm: Precision = .float32, detectionInterval: Int = 2) throws {
        let oracle = try Fixtures.oracle()
        let tracker = try Fixtures.tracker(.init(maxHands: 2, mirrored: true, detectionInterval: detectionInterval),
                                           precision: precision, palmPrecision: palm)
        var hands: [HandEvidence] = []
        var oracleHand = 0, oracleNone = 0, bothHand = 0, oursOnly = 0, extraHands = 0
        var distanceSum = 0.0, distanceCount = 0, worstFrame = (index: -1, distance: 0.0)
        var worldSum = 0.0, handednessAgree = 0
        var frameCount = 0
        try Fixtures.forEachFrame { frame in
            tracker.process(frame, into: &hands)
            frameCount += 1
            guard frame.index < oracle.frames.count else { return XCTFail("oracle has no frame \(frame.index)") }
            let theirs = oracle.frames[frame.index].hands
            if theirs.isEmpty {
                oracleNone += 1
                if !hands.isEmpty { oursOnly += 1 }
                return
            }
            oracleHand += 1
            extraHands += max(0, hands.count - theirs.count)
            guard !hands.isEmpty else { return }
            bothHand += 1
            // Pair each MediaPipe hand with the nearest of ours.
            for hand in theirs {
                var best = Double.infinity, bestIndex = 0
                for (k, ours) in hands.enumerated() {
                    var d = 0.0
                    for i in 0..<21 {
                        d += Double(hypot(ours.landmarks[i].x - Float(hand.landmarks[i][0]),
                                          ours.landmarks[i].y - Float(hand.landmarks[i][1])))
                    }
                    if d / 21 < best { best = d / 21; bestIndex = k }
                }
                distanceSum += best
                distanceCount += 1
                if best > worstFrame.distance { worstFrame = (frame.index, best) }
                let ours = hands[bestIndex]
                var world = 0.0
                for i in 0..<21 {
                    let w = hand.world_landmarks[i]
                    let d = ours.worldLandmarks[i] - SIMD3(Float(w[0]), Float(w[1]), Float(w[2]))
                    world += Double((d * d).sum().squareRoot())
                }
                worldSum += world / 21
                if ours.handedness.rawValue == hand.handedness.lowercased() { handednessAgree += 1 }
            }
        }
        XCTAssertEqual(frameCount, oracle.frames.count, "HandMesh and the oracle decoded different frame counts")
        let found = Double(bothHand) / Double(max(oracleHand, 1))
        let falseFound = Double(oursOnly) / Double(max(oracleNone, 1))
        let meanDistance = distanceSum / Double(max(distanceCount, 1))
        let meanWorld = worldSum / Double(max(distanceCount, 1))
        let engine = tracker.landmarkPrecision.rawValue
        print(String(format: "evidence (%@) vs MediaPipe: hand found in %.1f%% of the %d frames where MediaPipe finds one, in %.1f%% of the %d where it finds none",
                     engine, 100 * found, oracleHand, 100 * falseFound, oracleNone))
        print(String(format: "evidence (%@) vs MediaPipe: mean 2D landmark distance %.3f px over %d hands (worst frame %d: %.3f px); world landmarks %.2f mm; handedness agrees on %d of %d",
                     engine, meanDistance, distanceCount, worstFrame.index, worstFrame.distance, 1000 * meanWorld, handednessAgree, distanceCount))
        XCTAssertGreaterThan(oracleHand, 300, "the clip shows a hand in most frames")
        XCTAssertGreaterThanOrEqual(found, 0.98)
        XCTAssertLessThanOrEqual(falseFound, 0.02)
        XCTAssertLessThanOrEqual(meanDistance, 2.0)
        XCTAssertLessThanOrEqual(meanWorld, 0.002, "world landmarks within 2 mm on average")
        XCTAssertEqual(handednessAgree, distanceCount)
        XCTAssertEqual(extraHands, 0, "more hands than MediaPipe's in some frame: one hand tracked twice?")
    }

    /// The palm stage alone, on the frame MediaPipe's crop oracle saved: our palm ROIs against the
    /// ROIs MediaPipe derived from its own palm detections on that frame.
    func testPalmROIsMatchMediaPipe() throws {
        let oracle = try Fixtures.oracle()
        let cropOracle = oracle.crop_oracle
        let frame = try Fixtures.pixelBuffer(rgb: Fixtures.oracleFile.deletingLastPathComponent().appendingPathComponent(cropOracle.frame_file),
                                             width: cropOracle.width, height: cropOracle.height)
        let store = try Fixtures.models()
        let detector = try PalmDetector(model: TFLiteModel(contentsOf: store.url(for: .palmDetectionFull)))
        var rois: [HandROI] = []
        frame.withUnsafeBytes { bytes in
            detector.detect(RGBImageView(base: bytes.baseAddress!, width: frame.width, height: frame.height, rowBytes: frame.rowBytes),
                            maxCount: 2, into: &rois)
        }
        let expected = oracle.frames[cropOracle.frame_index].rois_from_palms.map(\.handROI)
        XCTAssertEqual(rois.count, expected.count)
        for (ours, theirs) in zip(rois, expected) {
            print("palm ROI: ours \(ours), MediaPipe \(theirs)")
            XCTAssertLessThan(hypot(ours.centerX - theirs.centerX, ours.centerY - theirs.centerY), 2)
            XCTAssertEqual(ours.width / theirs.width, 1, accuracy: 0.01)
            XCTAssertEqual(normalizeRadians(ours.rotation - theirs.rotation), 0, accuracy: 0.01)
        }
    }
}
