import Evidence
import Foundation
import Neural
import Video
import XCTest

/// Each frame of the real clip as an unrelated photo: HandMesh's tracker in static-image mode
/// against MediaPipe's own `static_image_mode=True` on the same frames (both views and their
/// mirror images; scripts/make-references writes the oracle files).
final class StillImageOracleTests: XCTestCase {
    func testStillModeFindsAtLeastTheHandsMediaPipeFinds() throws {
        let tracker = try Fixtures.tracker(.init(maxHands: 2, staticImageMode: true), precision: .int8)
        var ours = 0, theirs = 0, both = 0, frames = 0, oursOnly = 0
        var distanceSum = 0.0, distanceCount = 0
        var hands: [HandEvidence] = []
        for view in 0..<2 {
            for flip in ["", "_flip"] {
                let oracleFile = Fixtures.repository.appendingPathComponent(".cache/oracle/cam\(view)\(flip).static.mediapipe.json")
                guard FileManager.default.fileExists(atPath: oracleFile.path) else {
                    throw FixtureMissing(description: "\(oracleFile.path) is missing; scripts/make-references writes it")
                }
                let oracle = try JSONDecoder().decode(Oracle.self, from: Data(contentsOf: oracleFile))
                let video = flip.isEmpty
                    ? Fixtures.repository.appendingPathComponent("../shared/data/stereo-hand/cam\(view)_test.mp4").standardized.path
                    : Fixtures.repository.appendingPathComponent(".cache/oracle/cam\(view)_flip.mp4").path
                let source = try VideoSource(InputSpec(parsing: video))
                var index = 0
                decoding: while true {
                    switch source.next() {
                    case .frame(let frame):
                        tracker.process(frame, into: &hands)
                        let expected = oracle.frames[index].hands
                        index += 1
                        frames += 1
                        if !hands.isEmpty { ours += 1 }
                        if !expected.isEmpty { theirs += 1 }
                        if !hands.isEmpty && expected.isEmpty { oursOnly += 1 }
                        guard let mine = hands.first, !expected.isEmpty else { continue }
                        both += 1
                        // The oracle hand nearest ours (MediaPipe's order is its own).
                        let best = expected.map { hand -> Double in
                            var total = 0.0
                            for j in 0..<21 {
                                let d = SIMD2(Double(mine.landmarks[j].x) - hand.landmarks[j][0], Double(mine.landmarks[j].y) - hand.landmarks[j][1])
                                total += (d * d).sum().squareRoot()
                            }
                            return total / 21
                        }.min()!
                        distanceSum += best
                        distanceCount += 1
                    case .end: break decoding
                    default: continue
                    }
                }
                XCTAssertEqual(index, oracle.frames.count, "cam\(view)\(flip): every frame compared")
            }
        }
        print(String(format: "still images: HandMesh finds a hand in %d of %d photos, MediaPipe static_image_mode in %d; both in %d (ours only %d); mean 2D landmark distance %.2f px",
                     ours, frames, theirs, both, oursOnly, distanceSum / Double(max(distanceCount, 1))))
        XCTAssertGreaterThanOrEqual(ours, theirs, "detection in still mode is at least MediaPipe's static_image_mode")
        XCTAssertGreaterThanOrEqual(Double(both), 0.99 * Double(theirs), "found where MediaPipe finds a hand")
        XCTAssertLessThan(distanceSum / Double(max(distanceCount, 1)), 2, "landmarks agree with MediaPipe's, px")
    }
}
