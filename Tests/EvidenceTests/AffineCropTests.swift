import Crop
import Foundation
import XCTest

/// AffineCrop against crops OpenCV made of the same real frame the way MediaPipe's CPU
/// ImageToTensorCalculator makes them (scripts/mediapipe_oracle.py: cv2.boxPoints,
/// getPerspectiveTransform, warpPerspective INTER_LINEAR, zero or replicated border).
final class AffineCropTests: XCTestCase {
    func testMatchesOpenCVWarp() throws {
        let oracle = try Fixtures.oracle().crop_oracle
        let directory = Fixtures.oracleFile.deletingLastPathComponent()
        let frame = try Fixtures.pixelBuffer(rgb: directory.appendingPathComponent(oracle.frame_file),
                                             width: oracle.width, height: oracle.height)
        XCTAssertEqual(oracle.crops.count, 4)
        for spec in oracle.crops {
            let expected = [UInt8](try Data(contentsOf: directory.appendingPathComponent(spec.file)))
            let n = spec.output_size
            XCTAssertEqual(expected.count, n * n * 3)
            let crop = AffineCrop(outputWidth: n, outputHeight: n, border: spec.border == "zero" ? .zero : .replicate)
            let roi = HandROI(centerX: Float(spec.center[0]), centerY: Float(spec.center[1]),
                              width: Float(spec.size[0]), height: Float(spec.size[1]), rotation: Float(spec.rotation))
            var tensor = [Float](repeating: -1, count: n * n * 3)
            frame.withUnsafeBytes { bytes in
                let view = RGBImageView(base: bytes.baseAddress!, width: frame.width, height: frame.height, rowBytes: frame.rowBytes)
                tensor.withUnsafeMutableBufferPointer { crop.sample(view, roi: roi, into: $0) }
            }
            var maxDiff = 0, sumDiff = 0, differing = 0
            for i in 0..<expected.count {
                let ours = Int((tensor[i] * 255).rounded())
                XCTAssertEqual(tensor[i] * 255, Float(ours), accuracy: 1e-3, "values are 8-bit levels / 255")
                let d = abs(ours - Int(expected[i]))
                maxDiff = max(maxDiff, d)
                sumDiff += d
                if d > 0 { differing += 1 }
            }
            print("crop \(spec.name): max |diff| \(maxDiff)/255, mean \(Double(sumDiff) / Double(expected.count)), \(differing) of \(expected.count) values differ")
            // OpenCV's fixed-point sampling, reproduced: an odd value may land one level apart where
            // a coordinate sits on a 1/32 rounding boundary.
            XCTAssertLessThanOrEqual(maxDiff, 1, spec.name)
            XCTAssertLessThan(Double(differing) / Double(expected.count), 0.01, spec.name)
        }
    }
}
