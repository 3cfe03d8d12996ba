import Foundation
import XCTest
import Video

final class ImageSequenceTests: TemporaryDirectoryTestCase {

    func testSingleImageIsOneFrame() throws {
        let image = directory.appendingPathComponent("green.png")
        try VideoTestSupport.ffmpegOK(["-f", "lavfi", "-i", "color=c=lime:size=90x60", "-frames:v", "1", image.path])
        let spec = try InputSpec(parsing: image.path)
        XCTAssertEqual(spec.kind, .image)
        let result = VideoTestSupport.drain(try VideoSource(spec, options: SourceOptions()))
        XCTAssertEqual(result.frames.count, 1)
        let frame = try XCTUnwrap(result.frames.first)
        XCTAssertEqual(frame.still, StillImage(path: image.path))
        XCTAssertEqual(frame.width, 90)
        XCTAssertEqual(frame.height, 60)
        let p = frame.pixels.pixel(x: 45, y: 30)
        XCTAssertLessThan(p.r, 10); XCTAssertGreaterThan(p.g, 245); XCTAssertLessThan(p.b, 10)
    }

    func testNumberedSequenceInOrder() throws {
        let pattern = directory.appendingPathComponent("frame_%05d.png").path
        try VideoTestSupport.ffmpegOK(["-f", "lavfi", "-i", "testsrc=size=80x60:rate=5", "-frames:v", "7", "-start_number", "1", pattern])
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.appendingPathComponent("frame_00007.png").path))
        let spec = try InputSpec(parsing: pattern)
        XCTAssertEqual(spec.kind, .imageSequence)
        let source = try VideoSource(spec, options: SourceOptions())
        let result = VideoTestSupport.drain(source)
        XCTAssertEqual(result.frames.count, 7)
        XCTAssertEqual(result.corrupt, 0)
        XCTAssertTrue(result.frames.allSatisfy { $0.width == 80 && $0.height == 60 })
        // The image2 demuxer's default rate is 25 fps.
        XCTAssertEqual(result.frames[3].pts - result.frames[2].pts, 1.0 / 25, accuracy: 1e-6)
        // The frames are the decoded PNGs themselves, in file order: compare with decoding file 3 alone.
        let third = VideoTestSupport.drain(try VideoSource(InputSpec(parsing: directory.appendingPathComponent("frame_00003.png").path), options: SourceOptions()))
        XCTAssertEqual(VideoTestSupport.bytes(of: result.frames[2]), VideoTestSupport.bytes(of: third.frames[0]))
        XCTAssertNotEqual(VideoTestSupport.bytes(of: result.frames[2]), VideoTestSupport.bytes(of: result.frames[3]))
    }

    func testPatternWithoutFilesIsAClearError() throws {
        let pattern = directory.appendingPathComponent("missing_%05d.png").path
        XCTAssertThrowsError(try VideoSource(InputSpec(parsing: pattern), options: SourceOptions())) { error in
            XCTAssertEqual(String(describing: error), "\(pattern): no file matches the pattern \(pattern) (tried the first numbers from 0 to 4)")
        }
    }
}
