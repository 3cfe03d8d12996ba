import XCTest
import Render
import Video

final class PNGWriterTests: XCTestCase {
    func testChecksumsMatchPublishedCheckValues() {
        // CRC-32/ISO-HDLC's check value for "123456789", and Adler-32 of "Wikipedia" (RFC 1950's example family).
        XCTAssertEqual(PNGWriter.crc32(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(PNGWriter.adler32(Array("Wikipedia".utf8)), 0x11E6_0398)
    }

    func testFFmpegDecodesWhatWasWritten() throws {
        // Wide enough that the stored deflate data spans several 65,535-byte blocks.
        let w = 301, h = 97
        let image = PixelBuffer(width: w, height: h)
        image.withUnsafeMutableBytes { raw in
            for y in 0..<h {
                for x in 0..<w {
                    raw[y * image.rowBytes + 3 * x] = UInt8((x * 7 + y) & 255)
                    raw[y * image.rowBytes + 3 * x + 1] = UInt8((y * 13) & 255)
                    raw[y * image.rowBytes + 3 * x + 2] = UInt8((x ^ y) & 255)
                }
            }
        }
        let path = NSTemporaryDirectory() + "render-png-\(getpid()).png"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PNGWriter.write(image, to: path)
        let source = try VideoSource(InputSpec(parsing: path))
        guard case .frame(let frame) = source.next() else { return XCTFail("FFmpeg decoded no picture from \(path)") }
        XCTAssertEqual(frame.width, w)
        XCTAssertEqual(frame.height, h)
        var mismatches = 0
        for y in 0..<h {
            for x in 0..<w {
                let p = frame.pixels.pixel(x: x, y: y), q = image.pixel(x: x, y: y)
                if p != q { mismatches += 1 }
            }
        }
        XCTAssertEqual(mismatches, 0, "PNG round trip through FFmpeg changed pixels")
    }
}
