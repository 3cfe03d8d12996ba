import Foundation
import XCTest

/// Frames of the real stereo clip as unrelated photos, with defaults: which hand, how sure, and how
/// far the fitted joints are from points triangulated from both calibrated views.
final class StillImageAccuracyTests: XCTestCase {
    /// Every 6th frame of a view (mirrored with `hflip`) as PNGs, and a manifest naming each by its
    /// frame number.
    private func photos(view: Int, mirrored: Bool, in directory: TemporaryDirectory) throws -> String {
        let clip = try Fixtures.realClip(view: view)
        let folder = directory.file("cam\(view)\(mirrored ? "-mirror" : "")")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let filter = "select=not(mod(n\\,6))" + (mirrored ? ",hflip" : "")
        let made = try runTool("/usr/bin/ffmpeg", ["-v", "error", "-y", "-i", clip, "-vf", filter, "-vsync", "0",
                                                   "-start_number", "0", "\(folder)/f_%03d.png"], timeout: 120)
        XCTAssertEqual(made.status, 0, made.stderr)
        let count = try FileManager.default.contentsOfDirectory(atPath: folder).count
        let lines = (0..<count).map { #"{"image": "f_\#(String(format: "%03d", $0)).png", "id": "\#(6 * $0)"}"# }
        let manifest = "\(folder)/photos.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: manifest, atomically: true, encoding: .utf8)
        return manifest
    }

    private func run(_ input: String, into output: String) throws -> [[String: Any]] {
        let result = try runTool(try Fixtures.handmeshBinary(), ["run", "--input", input, "--output", "ndjson:\(output)"], timeout: 300)
        XCTAssertEqual(result.status, 0, result.stderr)
        return records(parseRecords(try String(contentsOfFile: output, encoding: .utf8)), ofType: "frame")
    }

    func testPhotosOfTheRealClipNameTheirHandHonestlyAndFitNearTheTriangulatedHand() throws {
        let directory = try TemporaryDirectory()
        var correct = 0, hands = 0, scoreSum = 0.0
        var photoRecords: [String] = []
        for view in 0..<2 {
            for mirrored in [false, true] {
                let manifest = try photos(view: view, mirrored: mirrored, in: directory)
                let output = directory.file("photos-\(view)-\(mirrored).ndjson")
                let frames = try run("manifest:" + manifest, into: output)
                if !mirrored { photoRecords.append(output) }
                XCTAssertEqual(frames.count, 63)
                var withHand = 0
                for frame in frames {
                    let found = frame["hands"] as? [[String: Any]] ?? []
                    XCTAssertLessThanOrEqual(found.count, 1, "one hand in the picture")
                    if !found.isEmpty { withHand += 1 }
                    for hand in found {
                        hands += 1
                        if hand["handedness"] as? String == (mirrored ? "left" : "right") { correct += 1 }
                        scoreSum += hand["handedness_score"] as? Double ?? 1
                        XCTAssertEqual((hand["fit"] as? [String: Any])?["warm"] as? Bool, false, "each photo is fitted on its own")
                    }
                }
                // MediaPipe's static_image_mode finds a hand in 359 of view 0's 378 frames, all of view 1's.
                XCTAssertGreaterThanOrEqual(withHand, 59, "view \(view)\(mirrored ? " mirrored" : ""): photos with a hand")
            }
        }
        let accuracy = Double(correct) / Double(hands)
        XCTAssertGreaterThanOrEqual(accuracy, 0.97, "photos whose hand is named right")
        // The score is a probability: on average it may not claim more than is achieved.
        XCTAssertLessThanOrEqual(scoreSum / Double(hands), accuracy + 0.02, "mean handedness_score against the share named right")

        // 3D truth: both views' videos, triangulated; the photos of each view scored against it.
        let truth = try (0..<2).map { view -> String in
            let output = directory.file("video-\(view).ndjson")
            _ = try run("\(Fixtures.repositoryRoot)/../shared/data/stereo-hand/cam\(view)_test.mp4", into: output)
            return output
        }
        let scored = try runTool(try Fixtures.handmeshBinary(), ["eval", "stereo", "--truth0", truth[0], "--truth1", truth[1],
                                                               "--calibration", "\(Fixtures.repositoryRoot)/../shared/data/stereo-hand/camera_parameters"]
                                 + photoRecords, timeout: 120)
        XCTAssertEqual(scored.status, 0, scored.stderr)
        print(scored.stdout)
        let errors = scored.stdout.split(separator: "\n").compactMap { line -> Double? in
            guard let range = line.range(of: "against triangulated points") else { return nil }
            return Double(line[range.upperBound...].drop { $0 == " " }.prefix { $0 == "." || $0.isNumber })
        }
        XCTAssertEqual(errors.count, 2)
        // Measured 10.9 and 9.8 mm on every third frame, the fits read in the truth's metric size
        // (README); a guard against regressions, not the goal.
        for error in errors { XCTAssertLessThan(error, 11.5, "PA-MPJPE of photos against triangulated points, mm") }
    }
}
