import Video
import XCTest

/// The live view's JPEG encoder (FFmpeg's MJPEG): whole JPEG pictures, one encoder for many
/// frames, and a picture of another size refused in one line.
final class JPEGEncoderTests: XCTestCase {
    func testFramesBecomeJPEGPictures() throws {
        let image = PixelBuffer(width: 96, height: 64)
        let encoder = try JPEGEncoder(width: 96, height: 64)
        var sizes: [Int] = []
        for shade in [0, 128, 255] {
            image.withUnsafeMutableBytes { raw in
                for y in 0..<64 {
                    for x in 0..<96 {
                        let p = y * image.rowBytes + 3 * x
                        raw[p] = UInt8(shade)
                        raw[p + 1] = UInt8(x * 2)
                        raw[p + 2] = UInt8(y * 3)
                    }
                }
            }
            let bytes = try encoder.encode(image) { Array($0) }
            XCTAssertEqual(Array(bytes.prefix(2)), [0xFF, 0xD8], "start of image")
            XCTAssertEqual(Array(bytes.suffix(2)), [0xFF, 0xD9], "end of image")
            sizes.append(bytes.count)
        }
        XCTAssertTrue(sizes.allSatisfy { $0 > 200 && $0 < 96 * 64 * 3 }, "\(sizes)")
        XCTAssertThrowsError(try encoder.encode(PixelBuffer(width: 32, height: 32)) { _ in () }) { error in
            XCTAssertTrue("\(error)".contains("96x64"), "\(error)")
        }
    }
}
