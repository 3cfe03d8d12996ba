import Foundation
import Video
import XCTest

/// Snapshots through FFmpeg's PNG encoder: lossless (FFmpeg's decoder gives back every pixel) and
/// compressed, unlike the stored-block writer it replaced (issue 19: 4.1 times larger files).
final class PNGEncoderTests: XCTestCase {
    func testAPictureRoundTripsLosslesslyAndCompresses() throws {
        let w = 301, h = 97
        let image = PixelBuffer(width: w, height: h)
        image.withUnsafeMutableBytes { raw in
            for y in 0..<h {
                for x in 0..<w {
                    raw[y * image.rowBytes + 3 * x] = UInt8((x / 8 + y) & 255)
                    raw[y * image.rowBytes + 3 * x + 1] = UInt8((y / 4 * 13) & 255)
                    raw[y * image.rowBytes + 3 * x + 2] = UInt8(x < w / 2 ? 40 : 200)
                }
            }
        }
        let png = try PNGEncoder.encode(image)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "the PNG signature")
        XCTAssertLessThan(png.count, w * h * 3 / 4, "compressed, not stored")
        let path = NSTemporaryDirectory() + "png-encoder-\(getpid()).png"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(png).write(to: URL(fileURLWithPath: path))
        let source = try VideoSource(InputSpec(parsing: path))
        guard case .frame(let frame) = source.next() else { return XCTFail("FFmpeg decoded no picture from \(path)") }
        XCTAssertEqual(frame.width, w)
        XCTAssertEqual(frame.height, h)
        var mismatches = 0
        for y in 0..<h {
            for x in 0..<w where frame.pixels.pixel(x: x, y: y) != image.pixel(x: x, y: y) { mismatches += 1 }
        }
        XCTAssertEqual(mismatches, 0, "PNG round trip through FFmpeg changed pixels")
    }
}
