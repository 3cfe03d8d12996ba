import Foundation
import XCTest
import Video

/// Damaged inputs are read past the damage: bad packets are skipped and counted, never the end of the stream.
final class DamagedInputTests: TemporaryDirectoryTestCase {
    /// 4 s at 30 fps with a keyframe every half second, so decoding recovers soon after damage.
    private let frameCount = 120

    private func clip(_ container: String) throws -> URL {
        let url = directory.appendingPathComponent("clip.\(container)")
        let extra = container == "mp4" ? ["-g", "15", "-movflags", "+faststart"] : ["-g", "15"]
        try VideoTestSupport.makeClip(url, graph: "testsrc=size=320x240:rate=30:duration=4", extra: extra)
        return url
    }

    private func truncated(_ url: URL, keeping fraction: Double) throws -> String {
        let data = try Data(contentsOf: url)
        let out = directory.appendingPathComponent("truncated-" + url.lastPathComponent)
        try data.prefix(Int(Double(data.count) * fraction)).write(to: out)
        return out.path
    }

    /// Overwrites 2 kB at each of `fractions` of the file with reproducible noise.
    private func noisy(_ url: URL, at fractions: [Double]) throws -> String {
        var bytes = [UInt8](try Data(contentsOf: url))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for fraction in fractions {
            let start = Int(Double(bytes.count) * fraction)
            for i in start..<min(bytes.count, start + 2000) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes[i] = UInt8(truncatingIfNeeded: state >> 56)
            }
        }
        let out = directory.appendingPathComponent("noisy-" + url.lastPathComponent)
        try Data(bytes).write(to: out)
        return out.path
    }

    private func read(_ path: String) throws -> VideoTestSupport.Drained {
        let result = VideoTestSupport.drain(try VideoSource(InputSpec(parsing: path), options: SourceOptions()))
        XCTAssertTrue(result.ended, path)
        XCTAssertTrue(result.lost.isEmpty, "a file is never lost: \(result.lost)")
        XCTAssertEqual(result.frames.map(\.index), Array(0..<result.frames.count))
        return result
    }

    func testCleanClipsHaveNoDamage() throws {
        for container in ["mp4", "mkv", "ts"] {
            let result = try read(try clip(container).path)
            XCTAssertEqual(result.frames.count, frameCount, container)
            XCTAssertEqual(result.corrupt, 0, "\(container): \(result.corruptDetails)")
        }
    }

    func testTruncatedFilesEndEarlyWithDamageCounted() throws {
        for container in ["mp4", "mkv"] {
            let result = try read(try truncated(try clip(container), keeping: 0.6))
            XCTAssertGreaterThan(result.frames.count, frameCount / 3, container)
            XCTAssertLessThan(result.frames.count, frameCount, container)
            XCTAssertGreaterThan(result.corrupt, 0, container)
            XCTAssertTrue(result.corruptDetails.contains { $0.contains("truncated") }, "\(container): \(result.corruptDetails)")
        }
    }

    /// The cut-off last packet of a truncated MP4 is decoded as far as it goes, as ffprobe does, and the
    /// truncation counts once (issue 19, item 10: one frame fewer than ffprobe, and 2 corrupt packets).
    func testATruncatedFileKeepsItsLastPictureAndCountsOnce() throws {
        let url = directory.appendingPathComponent("mpeg4.mp4")
        try VideoTestSupport.ffmpegOK(["-f", "lavfi", "-i", "testsrc=size=320x240:rate=30:duration=4", "-c:v", "mpeg4",
                                       "-g", "15", "-movflags", "+faststart", url.path])
        for fraction in [0.1, 0.5, 0.9] {
            let path = try truncated(url, keeping: fraction)
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            probe.arguments = ["ffprobe", "-v", "quiet", "-count_frames", "-select_streams", "v:0",
                               "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path]
            let pipe = Pipe()
            probe.standardOutput = pipe
            try probe.run()
            let counted = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            probe.waitUntilExit()
            let result = try read(path)
            XCTAssertEqual(result.frames.count, Int(counted.trimmingCharacters(in: .whitespacesAndNewlines)), "\(fraction): ffprobe counts \(counted)")
            XCTAssertEqual(result.corrupt, 1, "\(fraction): one truncation, one count: \(result.corruptDetails)")
            XCTAssertTrue(result.corruptDetails.contains { $0.contains("truncated") }, "\(fraction): \(result.corruptDetails)")
        }
    }

    func testNoiseInTheMiddleIsSkippedAndReadingGoesOn() throws {
        for container in ["mp4", "ts"] {
            let result = try read(try noisy(try clip(container), at: [0.35, 0.55]))
            XCTAssertGreaterThan(result.corrupt, 0, "\(container): noise went unnoticed")
            // Reading went past both damaged spots to the end of the clip.
            XCTAssertGreaterThan(result.frames.count, frameCount * 3 / 4, container)
            XCTAssertEqual(result.frames.last?.pts ?? 0, Double(frameCount - 1) / 30 + (container == "ts" ? 1.4 : 0), accuracy: 0.2, container)
            XCTAssertFalse(result.corruptDetails.contains(where: \.isEmpty))
        }
    }

    func testFileWithIndexAtTheEndCutOffCannotOpen() throws {
        // Without -movflags +faststart the MP4 index sits at the end; cut it off and nothing is readable.
        let url = directory.appendingPathComponent("late-index.mp4")
        try VideoTestSupport.makeClip(url, graph: "testsrc=size=160x120:rate=30:duration=1")
        let path = try truncated(url, keeping: 0.5)
        XCTAssertThrowsError(try VideoSource(InputSpec(parsing: path), options: SourceOptions())) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.hasPrefix(path + ": "), text)
            XCTAssertFalse(text.contains("\n"))
        }
    }
}
