import Foundation
import XCTest
import Video

final class FileSourceTests: TemporaryDirectoryTestCase {

    func testDecodesEveryFrameWithPtsAndSize() throws {
        let clip = directory.appendingPathComponent("testsrc.mp4")
        try VideoTestSupport.makeClip(clip, graph: "testsrc=size=640x480:rate=30:duration=2")
        let before = Date().timeIntervalSince1970
        let source = try VideoSource(InputSpec(parsing: clip.path), options: SourceOptions())
        XCTAssertFalse(source.isLive)
        XCTAssertEqual(source.frameRate ?? 0, 30, accuracy: 0.01)
        XCTAssertEqual(source.width, 640)
        XCTAssertEqual(source.height, 480)
        XCTAssertTrue(source.description.contains("640x480"), source.description)
        XCTAssertTrue(source.description.contains(VideoTestSupport.videoEncoder == "libx264" ? "h264" : "mpeg4"), source.description)

        let result = VideoTestSupport.drain(source)
        XCTAssertTrue(result.ended)
        XCTAssertEqual(result.corrupt, 0)
        XCTAssertEqual(result.frames.count, 60)
        for (i, frame) in result.frames.enumerated() {
            XCTAssertEqual(frame.index, i)
            XCTAssertEqual(frame.pts, Double(i) / 30, accuracy: 1e-3, "frame \(i)")
            XCTAssertEqual(frame.width, 640)
            XCTAssertEqual(frame.height, 480)
            XCTAssertGreaterThanOrEqual(frame.pixels.rowBytes, 3 * 640)
            XCTAssertGreaterThanOrEqual(frame.captureTime, before)
            XCTAssertLessThanOrEqual(frame.captureTime, Date().timeIntervalSince1970 + 1)
        }
        // The ffmpeg CLI's RGB decode of the same file is the oracle for the pixels themselves.
        let oracle = try VideoTestSupport.ffmpegFirstFrameRGB(clip.path, directory: directory)
        let difference = zip(VideoTestSupport.packedRGB(result.frames[0]), oracle).map { abs(Int($0) - Int($1)) }
        XCTAssertEqual(difference.count, 640 * 480 * 3)
        XCTAssertLessThan(Double(difference.reduce(0, +)) / Double(difference.count), 1.5)
        // testsrc moves a counter and a gradient every frame, so consecutive pictures differ.
        XCTAssertNotEqual(VideoTestSupport.bytes(of: result.frames[0]), VideoTestSupport.bytes(of: result.frames[1]))
        XCTAssertNotEqual(VideoTestSupport.bytes(of: result.frames[10]), VideoTestSupport.bytes(of: result.frames[40]))
        // Capture times follow decode order.
        XCTAssertEqual(zip(result.frames, result.frames.dropFirst()).filter { $0.captureTime > $1.captureTime }.count, 0)
        XCTAssertEqual(source.next().isEnd, true, "after .end every call returns .end")
        XCTAssertEqual(source.framesDelivered, 60)
    }

    func testSolidColoursComeOutAsRGB() throws {
        for (name, expected) in [("red", (255.0, 0.0, 0.0)), ("blue", (0.0, 0.0, 255.0)), ("white", (255.0, 255.0, 255.0))] {
            let clip = directory.appendingPathComponent("\(name).mp4")
            try VideoTestSupport.makeClip(clip, graph: "color=c=\(name):size=320x240:rate=25:duration=0.4")
            let result = VideoTestSupport.drain(try VideoSource(InputSpec(parsing: clip.path), options: SourceOptions()))
            XCTAssertEqual(result.frames.count, 10, name)
            for frame in result.frames {
                let mean = VideoTestSupport.meanColor(frame)
                XCTAssertEqual(mean.r, expected.0, accuracy: 6, "\(name) red channel")
                XCTAssertEqual(mean.g, expected.1, accuracy: 6, "\(name) green channel")
                XCTAssertEqual(mean.b, expected.2, accuracy: 6, "\(name) blue channel")
            }
        }
    }

    func testEveryPixelFormatMatchesTheFFmpegCLI() throws {
        // The ffmpeg CLI's own RGB decode of each file is the oracle. A dark colour tells full-range (JPEG) YUV
        // from limited range: read with the wrong range, 32 becomes 19.
        var cases: [(String, [String])] = [
            ("jpeg-range.avi", ["-c:v", "mjpeg", "-pix_fmt", "yuvj422p", "-q:v", "2"]),
            ("limited-range.mp4", ["-c:v", "mpeg4", "-pix_fmt", "yuv420p", "-q:v", "2"]),
            ("palette.png", ["-frames:v", "1", "-pix_fmt", "pal8"]),
            ("alpha.png", ["-frames:v", "1", "-pix_fmt", "rgba"]),
            ("gray16.png", ["-frames:v", "1", "-pix_fmt", "gray16be"]),
            ("animated.gif", []),
        ]
        if VideoTestSupport.videoEncoder == "libx264" {
            cases.append(("ten-bit.mkv", ["-c:v", "libx264", "-pix_fmt", "yuv444p10le", "-qp", "0"]))
        }
        for (name, arguments) in cases {
            let path = directory.appendingPathComponent(name).path
            try VideoTestSupport.ffmpegOK(["-f", "lavfi", "-i", "color=c=0x203040:size=64x48:rate=10:duration=0.3"] + arguments + [path])
            let oracle = try VideoTestSupport.ffmpegFirstFrameRGB(path, directory: directory)
            let result = VideoTestSupport.drain(try VideoSource(InputSpec(parsing: path), options: SourceOptions()))
            XCTAssertEqual(result.corrupt, 0, name)
            let frame = try XCTUnwrap(result.frames.first, name)
            XCTAssertEqual(frame.width, 64)
            XCTAssertEqual(frame.height, 48)
            let ours = VideoTestSupport.packedRGB(frame)
            XCTAssertEqual(ours.count, oracle.count, name)
            let difference = zip(ours, oracle).map { abs(Int($0) - Int($1)) }
            let mean = Double(difference.reduce(0, +)) / Double(max(1, difference.count))
            XCTAssertLessThan(mean, 1.5, "\(name): mean difference from the ffmpeg CLI")
            XCTAssertLessThanOrEqual(difference.max() ?? 0, 6, "\(name): largest difference from the ffmpeg CLI")
        }
    }

    func testLargeFramesAreDownscaledWithAspectKept() throws {
        let clip = directory.appendingPathComponent("wide.mp4")
        try VideoTestSupport.makeClip(clip, graph: "testsrc=size=1280x720:rate=10:duration=0.5")
        var options = SourceOptions()
        options.maxDimension = 320
        let source = try VideoSource(InputSpec(parsing: clip.path), options: options)
        XCTAssertEqual(source.width, 320)
        XCTAssertEqual(source.height, 180)
        XCTAssertTrue(source.description.contains("scaled to 320x180"), source.description)
        let result = VideoTestSupport.drain(source)
        XCTAssertEqual(result.frames.count, 5)
        XCTAssertTrue(result.frames.allSatisfy { $0.width == 320 && $0.height == 180 })
        // Downscaling averages (area filter), as the ffmpeg CLI's scale filter does when asked to.
        let oracle = try VideoTestSupport.ffmpegFirstFrameRGB(clip.path, directory: directory, filter: "scale=320:180:flags=area")
        let difference = zip(VideoTestSupport.packedRGB(result.frames[0]), oracle).map { abs(Int($0) - Int($1)) }
        XCTAssertEqual(difference.count, 320 * 180 * 3)
        XCTAssertLessThan(Double(difference.reduce(0, +)) / Double(difference.count), 3)

        // Below the cap nothing changes.
        options.maxDimension = 1920
        let unscaled = VideoTestSupport.drain(try VideoSource(InputSpec(parsing: clip.path), options: options))
        XCTAssertTrue(unscaled.frames.allSatisfy { $0.width == 1280 && $0.height == 720 })
    }

    func testHeldFramesAreNeverOverwrittenByThePool() throws {
        let clip = directory.appendingPathComponent("pool.mp4")
        try VideoTestSupport.makeClip(clip, graph: "testsrc=size=160x120:rate=25:duration=4")
        let source = try VideoSource(InputSpec(parsing: clip.path), options: SourceOptions())
        guard case .frame(let held) = source.next() else { return XCTFail("no first frame") }
        let snapshot = VideoTestSupport.bytes(of: held)
        // Frames released right away let the pool recycle their buffers; the held one must stay untouched.
        var identities = Set<ObjectIdentifier>()
        var count = 1
        while case .frame(let frame) = source.next() {
            identities.insert(ObjectIdentifier(frame.pixels))
            XCTAssertFalse(frame.pixels === held.pixels)
            count += 1
        }
        XCTAssertEqual(count, 100)
        XCTAssertEqual(VideoTestSupport.bytes(of: held), snapshot)
        XCTAssertLessThan(identities.count, 10, "released buffers are reused rather than allocated anew")
    }

    func testMPEG4ClipDecodes() throws {
        let clip = directory.appendingPathComponent("mpeg4.avi")
        try VideoTestSupport.ffmpegOK(["-f", "lavfi", "-i", "testsrc=size=176x144:rate=15:duration=1", "-c:v", "mpeg4", clip.path])
        let result = VideoTestSupport.drain(try VideoSource(InputSpec(parsing: clip.path), options: SourceOptions()))
        XCTAssertEqual(result.frames.count, 15)
        XCTAssertEqual(result.corrupt, 0)
        XCTAssertEqual(result.frames.last?.pts ?? 0, 14.0 / 15, accuracy: 1e-3)
    }

    func testRealtimePacingMakesAFileLive() throws {
        let clip = directory.appendingPathComponent("paced.mp4")
        try VideoTestSupport.makeClip(clip, graph: "testsrc=size=64x48:rate=20:duration=0.5")
        var options = SourceOptions()
        options.realtime = true
        let source = try VideoSource(InputSpec(parsing: clip.path), options: options)
        XCTAssertTrue(source.isLive)
        let start = Date()
        let result = VideoTestSupport.drain(source)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(result.frames.count, 10)
        // Ten frames at 20 fps span 0.45 s from the first to the last.
        XCTAssertGreaterThan(elapsed, 0.4)
        XCTAssertLessThan(elapsed, 3)
        let span = result.frames.last!.captureTime - result.frames.first!.captureTime
        XCTAssertEqual(span, 0.45, accuracy: 0.1)
    }
}

extension SourceEvent {
    var isEnd: Bool { if case .end = self { return true } else { return false } }
}
