import Fitting
import Foundation
import HandModel
import XCTest

final class SequenceMetricsTests: XCTestCase {
    func testLagOfADelayedSignal() {
        // A smooth random walk and a copy two frames late.
        var rng = SeededRandom(seed: 5)
        var x = 0.0, v = 0.0
        var reference: [[Double]?] = []
        for _ in 0..<300 {
            v = 0.9 * v + rng.gaussian()
            x += v
            reference.append([x, -0.5 * x])
        }
        let late: [[Double]?] = [reference[0], reference[0]] + reference.dropLast(2)
        XCTAssertEqual(SequenceMetrics.lag(of: late, behind: reference), 2, accuracy: 0.25)
        XCTAssertEqual(SequenceMetrics.lag(of: reference, behind: reference), 0, accuracy: 0.25)
    }

    func testSecondDifferenceOfAKnownSequence() {
        // Constant acceleration 1 per frame^2 along x: every second difference has norm 1.
        let frames: [[SIMD3<Double>]?] = (0..<10).map { t in [SIMD3(0.5 * Double(t * t), 0, 0)] }
        XCTAssertEqual(SequenceMetrics.meanSecondDifference(frames), 1, accuracy: 1e-12)
        // A gap removes the triples that span it.
        var gapped = frames
        gapped[5] = nil
        XCTAssertEqual(SequenceMetrics.meanSecondDifference(gapped), 1, accuracy: 1e-12)
    }

    func testTriangulationRecoversAPoint() {
        let r = AxisAngle.matrix(SIMD3(0.2, -0.7, 0.1))
        let t = SIMD3(0.3, -0.1, 0.05)
        let p = SIMD3(0.05, -0.02, 0.6)
        let q = r * p + t
        let x = SequenceMetrics.triangulate(SIMD2(p.x / p.z, p.y / p.z), SIMD2(q.x / q.z, q.y / q.z), rotation: r, translation: t)
        XCTAssertLessThan(((x - p) * (x - p)).sum().squareRoot(), 1e-9)
    }

    /// The stereo-hand calibration parses, and its camera 0 to camera 1 rotation is R1 R0^T of
    /// the two world-to-camera rotations (as its README says).
    func testStereoCalibrationParses() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../shared/data/stereo-hand/camera_parameters")
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("c0.dat").path) else {
            throw MissingTestInput("stereo-hand calibration not at \(dir.path); the suite reads ../shared beside the repository")
        }
        let c = try StereoCalibration(directory: dir)
        XCTAssertEqual(c.camera0.fx, 926.0774422800577, accuracy: 1e-9)
        XCTAssertEqual(c.camera1.k3, -6.044993682556749, accuracy: 1e-12)
        // Orthonormal rotation.
        let rtr = c.rotation.transposed * c.rotation
        for (col, e) in [(rtr.c0, SIMD3<Double>(1, 0, 0)), (rtr.c1, SIMD3(0, 1, 0)), (rtr.c2, SIMD3(0, 0, 1))] {
            XCTAssertLessThan(((col - e) * (col - e)).sum().squareRoot(), 1e-6)
        }
        XCTAssertEqual(c.translation.x, 9.096032259574832, accuracy: 1e-12)
    }

    func testEvidenceRecordsReadFrameRecords() throws {
        let hand = "{\"track\": 3, \"handedness\": \"left\", \"score\": 0.9, \"landmarks\": [" +
            (0..<21).map { "[\($0), \(2 * $0)]" }.joined(separator: ",") + "], \"world_landmarks\": [" +
            (0..<21).map { "[0.0\($0 % 10), 0, 0.01]" }.joined(separator: ",") + "]}"
        let text = "{\"type\": \"header\"}\n{\"type\": \"frame\", \"index\": 0, \"pts\": 0.0, \"width\": 640, \"height\": 480, \"hands\": []}\n" +
            "{\"type\": \"frame\", \"index\": 1, \"pts\": 0.033, \"width\": 640, \"height\": 480, \"hands\": [\(hand)]}\n"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("fitting-records-\(getpid()).ndjson")
        defer { try? FileManager.default.removeItem(at: url) }
        try text.write(to: url, atomically: true, encoding: .utf8)
        let r = try EvidenceRecords(contentsOf: url)
        XCTAssertEqual(r.frames.count, 2)
        XCTAssertNil(r.frames[0])
        XCTAssertEqual(r.frames[1]?.track, 3)
        XCTAssertEqual(r.frames[1]?.evidence.isLeft, true)
        XCTAssertEqual(r.frames[1]?.evidence.keypoints[4], SIMD2(4, 8))
        XCTAssertEqual(r.width, 640)
        try "{\"type\": \"frame\", \"index\": 0, \"hands\": [{\"landmarks\": [[1, 2]]}]}\n".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try EvidenceRecords(contentsOf: url)) { XCTAssertTrue("\($0)".contains("line 1"), "\($0)") }
    }
}
