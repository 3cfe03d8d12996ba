import Foundation
import XCTest

/// The daemon's picture on request: SIGUSR1 to a running `handmesh` writes the next frame, its
/// hands drawn, as a PNG at the stream's snapshot path.
final class SnapshotTests: XCTestCase {
    func testSIGUSR1WritesAPNGOfTheNextFrameWithItsHands() throws {
        let binary = try Fixtures.handmeshBinary()
        let directory = try TemporaryDirectory()
        let clip = directory.file("clip.mp4"), truth = directory.file("truth.ndjson"), png = directory.file("latest.png")
        let made = try runTool(binary, ["synth", "--out", clip, "--truth", truth, "--frames", "150", "--seed", "3"], timeout: 120)
        XCTAssertEqual(made.status, 0, made.stderr)
        // Paced at its frame rate, the clip runs for five seconds: time to ask twice.
        let child = try Child(binary, ["run", "--config", "\(Fixtures.repositoryRoot)/Config/examples/synthetic.toml",
                                       "--input", clip, "--realtime", "--snapshot", png])
        XCTAssertTrue(eventually(timeout: 60) { child.stdout.contains("\"hands\":[{") }, "a fitted hand before asking")
        XCTAssertFalse(FileManager.default.fileExists(atPath: png), "nothing is written unasked")
        child.send(SIGUSR1)
        XCTAssertTrue(eventually(timeout: 10) { FileManager.default.fileExists(atPath: png) }, child.stderr)
        let first = try Data(contentsOf: URL(fileURLWithPath: png))
        XCTAssertEqual(Array(first.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG signature")
        child.send(SIGUSR1)
        XCTAssertTrue(eventually(timeout: 10) { child.stderr.components(separatedBy: "written to \(png)").count == 3 }, child.stderr)
        XCTAssertTrue(child.waitForExit(timeout: 60), "the clip ends")
        XCTAssertEqual(child.status, 0, child.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: png + ".partial"), "no partial file is left")

        // FFmpeg reads it back as a picture of the frame's size, and the hand is drawn: the
        // snapshot differs from the undrawn frame where the records put the hand.
        let probe = try runTool("/usr/bin/env", ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                                 "stream=width,height", "-of", "csv=p=0", png], timeout: 30)
        XCTAssertEqual(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "640,480")
        let logged = try XCTUnwrap(child.stderr.components(separatedBy: "snapshot of frame ").last?.split(separator: " ").first.flatMap { Int($0) })
        let frame = try XCTUnwrap(records(parseRecords(child.stdout), ofType: "frame").first { $0["index"] as? Int == logged })
        let joints = try XCTUnwrap((frame["hands"] as? [[String: Any]])?.first?["joints2d"] as? [[Double]])
        let drawn = try rgb(of: png), plain = try rgb(of: clip, frame: logged)
        var changed = 0
        for j in joints {
            let x = Int(j[0]), y = Int(j[1])
            guard x >= 0, y >= 0, x < 640, y < 480 else { continue }
            let k = 3 * (y * 640 + x)
            if (0..<3).contains(where: { abs(Int(drawn[k + $0]) - Int(plain[k + $0])) > 24 }) { changed += 1 }
        }
        XCTAssertGreaterThanOrEqual(changed, 15, "joints drawn over the frame: \(changed) of 21 changed")
    }

    /// Raw RGB of one picture (or a video's frame `frame`), decoded by the ffmpeg CLI.
    private func rgb(of path: String, frame: Int = 0) throws -> [UInt8] {
        let directory = try TemporaryDirectory()
        let out = directory.file("frame.rgb")
        let result = try runTool("/usr/bin/env", ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", path, "-vf",
                                                  "select=eq(n\\,\(frame))", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", out],
                                 timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
    }
}
