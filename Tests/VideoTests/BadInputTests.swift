import Foundation
import XCTest
import Video

/// Every input that cannot be read at all fails to open with one line naming it and what is wrong.
final class BadInputTests: TemporaryDirectoryTestCase {

    /// Opens `input` expecting failure; returns the error text after checking it is one line starting with the input.
    private func openError(_ input: String, options: SourceOptions = SourceOptions(),
                           file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let source = try VideoSource(InputSpec(parsing: input), options: options)
            XCTFail("\(input) opened as \(source.description)", file: file, line: line)
            return ""
        } catch let error as VideoError {
            XCTAssertEqual(error.input, input, file: file, line: line)
            let text = error.description
            XCTAssertTrue(text.hasPrefix("\(input): "), text, file: file, line: line)
            XCTAssertFalse(text.contains("\n"), text, file: file, line: line)
            return String(text.dropFirst(input.count + 2))
        } catch {
            XCTFail("not a VideoError: \(error)", file: file, line: line)
            return ""
        }
    }

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func testMissingFile() {
        XCTAssertEqual(openError(directory.appendingPathComponent("nope.mp4").path), "no such file")
    }

    func testDirectoryWithoutImages() {
        // A directory is a folder of photos; one without any is refused by name.
        XCTAssertEqual(openError(directory.path), "the folder holds no image files (bmp, dpx, exr, hdr, j2k, jfif, …)")
    }

    func testZeroByteFile() throws {
        XCTAssertEqual(openError(try write("empty.mp4", [])), "file is empty (0 bytes)")
    }

    func testUnreadableFile() throws {
        let path = try write("secret.mp4", Array("not really".utf8))
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: path)
        if geteuid() == 0 {
            throw XCTSkip("root reads files whatever their mode")
        }
        XCTAssertEqual(openError(path), "not readable (permission denied)")
    }

    func testTextFileIsNotAVideo() throws {
        let path = try write("notes.mp4", Array(String(repeating: "these are not video frames\n", count: 200).utf8))
        XCTAssertEqual(openError(path), "not a video or image FFmpeg can read (invalid data found when processing input)")
    }

    func testRandomBytesAreNotAVideo() throws {
        var generator = SystemRandomNumberGenerator()
        let path = try write("noise.bin", (0..<65536).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let message = openError(path)
        XCTAssertFalse(message.isEmpty)
    }

    func testAudioOnlyFileHasNoVideoStream() throws {
        let path = directory.appendingPathComponent("tone.wav").path
        try VideoTestSupport.ffmpegOK(["-f", "lavfi", "-i", "sine=frequency=440:duration=0.2", path])
        XCTAssertEqual(openError(path), "no video stream (found: audio)")
    }

    func testAbsurdSideIsRefusedBeforeAllocating() throws {
        // A YUV4MPEG2 header declares the size up front; nothing frame-sized is allocated before the check.
        let path = try write("tall.y4m", Array("YUV4MPEG2 W640 H20000 F25:1 Ip A1:1 C420jpeg\nFRAME\n".utf8) + [UInt8](repeating: 128, count: 4096))
        XCTAssertEqual(openError(path), "frame size 640x20000 exceeds the limit of 16384 pixels a side")
        // A size beyond what FFmpeg itself accepts is refused by FFmpeg's own check, still as one line.
        let absurd = try write("huge.y4m", Array("YUV4MPEG2 W90000 H90000 F25:1 Ip A1:1 C420jpeg\nFRAME\n".utf8) + [UInt8](repeating: 128, count: 4096))
        XCTAssertFalse(openError(absurd).isEmpty)
    }

    func testAbsurdPixelCountIsRefused() throws {
        let path = try write("wide.y4m", Array("YUV4MPEG2 W12000 H12000 F25:1 Ip A1:1 C420jpeg\nFRAME\n".utf8) + [UInt8](repeating: 128, count: 4096))
        XCTAssertEqual(openError(path), "frame size 12000x12000 (144 Mpx) exceeds the limit of 100 Mpx")
        // The limits are options: a small cap refuses a small clip.
        var options = SourceOptions()
        options.maxInputSide = 100
        let clip = directory.appendingPathComponent("small.mp4")
        try VideoTestSupport.makeClip(clip, graph: "testsrc=size=160x120:rate=10:duration=0.2")
        XCTAssertEqual(openError(clip.path, options: options), "frame size 160x120 exceeds the limit of 100 pixels a side")
    }

    func testImageDeclaringTooManyPixelsIsRefusedByTheDecoder() throws {
        // A PNG's size is only known once its header is decoded; the decoder's max_pixels check refuses it
        // before the 900 MB picture would be allocated.
        let small = directory.appendingPathComponent("small.png")
        try VideoTestSupport.ffmpegOK(["-f", "lavfi", "-i", "color=c=gray:size=16x16", "-frames:v", "1", small.path])
        var bytes = [UInt8](try Data(contentsOf: small))
        // IHDR follows the 8-byte signature: length (4), "IHDR" (4), width (4), height (4), …, CRC over type and data.
        XCTAssertEqual(Array(bytes[12..<16]), Array("IHDR".utf8))
        for (offset, value) in [(16, UInt32(15000)), (20, UInt32(15000))] {
            for k in 0..<4 { bytes[offset + k] = UInt8((value >> (24 - 8 * UInt32(k))) & 0xFF) }
        }
        let crc = VideoTestSupport.crc32(bytes[12..<29])
        for k in 0..<4 { bytes[29 + k] = UInt8((crc >> (24 - 8 * UInt32(k))) & 0xFF) }
        let path = try write("huge.png", bytes)
        XCTAssertEqual(openError(path), "the first picture cannot be decoded, so its size is unknown (damaged, or larger than 100 Mpx)")
    }

    func testUnsupportedCodec() throws {
        // A valid AVI whose codec tag no decoder claims.
        let clip = directory.appendingPathComponent("real.avi")
        try VideoTestSupport.ffmpegOK(["-f", "lavfi", "-i", "testsrc=size=176x144:rate=15:duration=0.5", "-c:v", "mpeg4", clip.path])
        var bytes = [UInt8](try Data(contentsOf: clip))
        let tag = Array("FMP4".utf8)
        var replaced = 0
        for i in 0..<(bytes.count - 4) where Array(bytes[i..<(i + 4)]) == tag {
            bytes.replaceSubrange(i..<(i + 4), with: Array("QQQQ".utf8))
            replaced += 1
        }
        XCTAssertGreaterThan(replaced, 0)
        let path = try write("unknown.avi", bytes)
        XCTAssertEqual(openError(path), "unsupported codec with tag 'QQQQ': this FFmpeg has no decoder for it")
    }

    /// A pixel format swscale cannot read is unsupported input, not damage (issue 19, item 9: every frame
    /// was skipped as a damaged packet, exit 3).
    func testUnsupportedPixelFormat() throws {
        let raw = directory.appendingPathComponent("picture.raw")
        try Data(repeating: 0x80, count: 64 * 48 * 3 / 2 * 5).write(to: raw)
        let clip = directory.appendingPathComponent("uyyvyy411.nut")
        try VideoTestSupport.ffmpegOK(["-f", "rawvideo", "-pix_fmt", "uyyvyy411", "-s", "64x48", "-r", "10", "-i", raw.path,
                                       "-c:v", "rawvideo", clip.path])
        XCTAssertEqual(openError(clip.path), "unsupported pixel format uyyvyy411: it cannot be converted to RGB")
    }

    func testRefusedConnection() throws {
        let port = try VideoTestSupport.unusedPort()
        var options = SourceOptions()
        options.openTimeout = 5
        let start = Date()
        XCTAssertEqual(openError("tcp://127.0.0.1:\(port)", options: options), "connection refused")
        XCTAssertLessThan(Date().timeIntervalSince(start), 3)
    }

    func testSilentServerTimesOutOpening() throws {
        let listener = try VideoTestSupport.SilentListener()
        defer { listener.close() }
        var options = SourceOptions()
        options.openTimeout = 1
        let start = Date()
        XCTAssertEqual(openError("tcp://127.0.0.1:\(listener.port)", options: options), "cannot open: no answer within 1 s")
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertGreaterThan(elapsed, 0.8)
        XCTAssertLessThan(elapsed, 3)
    }

    /// A server that accepts and never sends is noticed after read_timeout, not after the open deadline
    /// (issue 19, item 17: it took a fixed 15 s whatever read_timeout said).
    func testSilentServerIsNoticedAfterTheReadTimeout() throws {
        let listener = try VideoTestSupport.SilentListener()
        defer { listener.close() }
        var options = SourceOptions()
        options.readTimeout = 2
        options.openTimeout = 15
        let start = Date()
        XCTAssertEqual(openError("tcp://127.0.0.1:\(listener.port)", options: options), "cannot open: no data for 2 s")
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertGreaterThan(elapsed, 1.9)
        XCTAssertLessThan(elapsed, 4, "about read_timeout, not the 15 s open deadline")
    }

    func testMissingCamera() {
        XCTAssertEqual(openError("/dev/video99"), "no such device")
    }

    func testUnknownProtocol() {
        let message = openError("gopherx://example.org/clip")
        XCTAssertTrue(message.hasPrefix("unsupported protocol 'gopherx'; this FFmpeg reads "), message)
    }

    func testEmptyInputs() {
        XCTAssertThrowsError(try InputSpec(parsing: "  ")) { error in
            XCTAssertEqual(String(describing: error), "(empty input): empty input; give a path, a URL, /dev/videoN, - or lavfi:GRAPH")
        }
        XCTAssertThrowsError(try InputSpec(parsing: "lavfi:")) { error in
            XCTAssertEqual(String(describing: error), "lavfi:: lavfi: needs a filter graph, e.g. lavfi:testsrc=size=640x480:rate=30")
        }
    }
}
