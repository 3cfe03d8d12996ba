import Foundation
import XCTest
import Video

final class VideoWriterTests: TemporaryDirectoryTestCase {
    /// A picture whose left half is `left` and right half `right`, so position and colour both survive checking.
    private func halves(width: Int, height: Int, left: (UInt8, UInt8, UInt8), right: (UInt8, UInt8, UInt8)) -> PixelBuffer {
        let buffer = PixelBuffer(width: width, height: height)
        buffer.withUnsafeMutableBytes { bytes in
            for y in 0..<height {
                for x in 0..<width {
                    let c = x < width / 2 ? left : right
                    let o = y * buffer.rowBytes + 3 * x
                    bytes[o] = c.0; bytes[o + 1] = c.1; bytes[o + 2] = c.2
                }
            }
        }
        return buffer
    }

    func testWrittenVideoReadsBack() throws {
        for name in ["overlay.mp4", "overlay.mkv"] {
            let path = directory.appendingPathComponent(name).path
            let writer = try VideoWriter(path: path, width: 320, height: 240, fps: 25)
            XCTAssertEqual(writer.codecName, VideoTestSupport.videoEncoder)
            let redBlue = halves(width: 320, height: 240, left: (255, 0, 0), right: (0, 0, 255))
            let greenWhite = halves(width: 320, height: 240, left: (0, 255, 0), right: (255, 255, 255))
            for i in 0..<30 { try writer.write(i < 15 ? redBlue : greenWhite) }
            try writer.finish()
            XCTAssertEqual(writer.framesWritten, 30)
            XCTAssertThrowsError(try writer.write(redBlue))

            let source = try VideoSource(InputSpec(parsing: path), options: SourceOptions())
            XCTAssertEqual(source.frameRate ?? 0, 25, accuracy: 0.01)
            let result = VideoTestSupport.drain(source)
            XCTAssertEqual(result.frames.count, 30, name)
            XCTAssertEqual(result.corrupt, 0)
            XCTAssertEqual(result.frames[29].pts, 29.0 / 25, accuracy: 1e-3)
            for (index, expected) in [(3, [(255, 0, 0), (0, 0, 255)]), (20, [(0, 255, 0), (255, 255, 255)])] {
                let frame = result.frames[index]
                XCTAssertEqual(frame.width, 320)
                for (x, colour) in zip([80, 240], expected) {
                    let p = frame.pixels.pixel(x: x, y: 120)
                    XCTAssertEqual(Double(p.r), Double(colour.0), accuracy: 12, "\(name) frame \(index) x \(x)")
                    XCTAssertEqual(Double(p.g), Double(colour.1), accuracy: 12, "\(name) frame \(index) x \(x)")
                    XCTAssertEqual(Double(p.b), Double(colour.2), accuracy: 12, "\(name) frame \(index) x \(x)")
                }
            }
        }
    }

    func testOddSizeIsCroppedToEven() throws {
        let path = directory.appendingPathComponent("odd.mp4").path
        let writer = try VideoWriter(path: path, width: 101, height: 75, fps: 10)
        XCTAssertEqual(writer.width, 100)
        XCTAssertEqual(writer.height, 74)
        let picture = halves(width: 101, height: 75, left: (255, 255, 255), right: (0, 0, 0))
        for _ in 0..<5 { try writer.write(picture) }
        try writer.finish()
        let result = VideoTestSupport.drain(try VideoSource(InputSpec(parsing: path), options: SourceOptions()))
        XCTAssertEqual(result.frames.count, 5)
        XCTAssertEqual(result.frames.first?.width, 100)
        XCTAssertEqual(result.frames.first?.height, 74)
    }

    func testReleasedWriterStillFinishesTheFile() throws {
        let path = directory.appendingPathComponent("unfinished.mp4").path
        do {
            let writer = try VideoWriter(path: path, width: 64, height: 48, fps: 30)
            let picture = halves(width: 64, height: 48, left: (0, 0, 0), right: (255, 255, 255))
            for _ in 0..<8 { try writer.write(picture) }
        }
        XCTAssertEqual(VideoTestSupport.drain(try VideoSource(InputSpec(parsing: path), options: SourceOptions())).frames.count, 8)
    }

    func testBadArgumentsAreErrorsNamingThePath() throws {
        let good = directory.appendingPathComponent("x.mp4").path
        XCTAssertThrowsError(try VideoWriter(path: good, width: 1, height: 48, fps: 30)) { error in
            XCTAssertEqual(String(describing: error), "\(good): cannot encode a 1x48 video; each side must be 2 to 16384 pixels")
        }
        XCTAssertThrowsError(try VideoWriter(path: good, width: 64, height: 48, fps: 0)) { error in
            XCTAssertEqual(String(describing: error), "\(good): cannot encode at 0.0 frames a second; give 0 < fps <= 1000")
        }
        let noExtension = directory.appendingPathComponent("video.unknownext").path
        XCTAssertThrowsError(try VideoWriter(path: noExtension, width: 64, height: 48, fps: 30)) { error in
            XCTAssertEqual(String(describing: error), "\(noExtension): no container format for this file name; use .mp4, .mkv or .avi")
        }
        let missingDirectory = directory.appendingPathComponent("no/such/dir/x.mp4").path
        XCTAssertThrowsError(try VideoWriter(path: missingDirectory, width: 64, height: 48, fps: 30)) { error in
            XCTAssertEqual(String(describing: error), "\(missingDirectory): cannot create the file: no such file or directory")
        }
        let writer = try VideoWriter(path: good, width: 64, height: 48, fps: 30)
        let tooSmall = [UInt8](repeating: 0, count: 100)
        XCTAssertThrowsError(try tooSmall.withUnsafeBytes { try writer.write(rgb: $0, rowBytes: 192) }) { error in
            XCTAssertTrue(String(describing: error).contains("too small for 64x48 RGB"), String(describing: error))
        }
        XCTAssertThrowsError(try writer.write(PixelBuffer(width: 32, height: 48)))
    }
}
