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

    /// The AVX2 sampler (eight pixels at a time) against the scalar rule it replaced, written out
    /// here: every value equal, on crops inside, across and outside a small noise image, in both
    /// border modes, at odd output sizes (so scalar tails run too).
    func testVectorSamplerMatchesScalarRule() {
        let width = 97, height = 61, rowBytes = 3 * width + 5
        var generator = SystemRandomNumberGenerator()
        let pixels = (0..<rowBytes * height).map { _ in UInt8.random(in: 0...255, using: &generator) }
        var checked = 0
        pixels.withUnsafeBytes { bytes in
            let image = RGBImageView(base: bytes.baseAddress!, width: width, height: height, rowBytes: rowBytes)
            for trial in 0..<60 {
                let roi = HandROI(centerX: Float.random(in: -20...117), centerY: Float.random(in: -20...81),
                                  width: Float.random(in: 2...150), height: Float.random(in: 2...150),
                                  rotation: Float.random(in: -4...4))
                let side = [8, 29, 57][trial % 3]
                for border in [BorderMode.zero, .replicate] {
                    let crop = AffineCrop(outputWidth: side, outputHeight: side, border: border)
                    var ours = [Float](repeating: -1, count: side * side * 3)
                    ours.withUnsafeMutableBufferPointer { crop.sample(image, roi: roi, into: $0) }
                    let expected = Self.scalarCrop(bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), width: width,
                                                   height: height, rowBytes: rowBytes, roi: roi, side: side, zeroBorder: border == .zero)
                    XCTAssertEqual(ours, expected, "roi \(roi), \(border), \(side)x\(side)")
                    // In pieces of rows, as the landmark runner's threads sample it.
                    var pieces = [Float](repeating: -1, count: side * side * 3)
                    pieces.withUnsafeMutableBufferPointer { tensor in
                        for start in stride(from: 0, to: side, by: 5) { crop.sample(image, roi: roi, into: tensor, rows: start..<start + 5) }
                    }
                    XCTAssertEqual(pieces, expected, "roi \(roi), \(border), \(side)x\(side), in pieces")
                    checked += 1
                }
            }
        }
        XCTAssertEqual(checked, 120)
    }

    /// The sampler as it was in Swift before the vector path: OpenCV's fixed-point bilinear rule.
    static func scalarCrop(_ src: UnsafePointer<UInt8>, width: Int, height: Int, rowBytes: Int, roi: HandROI,
                           side: Int, zeroBorder: Bool) -> [Float] {
        let c = Double(cos(roi.rotation)), s = Double(sin(roi.rotation))
        let w = Double(roi.width), h = Double(roi.height), size = Double(side)
        let m00 = c * w / size, m01 = -s * h / size, m10 = s * w / size, m11 = c * h / size
        let m02 = Double(roi.centerX) - c * w / 2 + s * h / 2
        let m12 = Double(roi.centerY) - s * w / 2 - c * h / 2
        let maxX = width - 1, maxY = height - 1
        var out: [Float] = []
        for j in 0..<side {
            for i in 0..<side {
                let sx = min(max((m00 * Double(i) + (m01 * Double(j) + m02)) * 32, -1e9), 1e9)
                let sy = min(max((m10 * Double(i) + (m11 * Double(j) + m12)) * 32, -1e9), 1e9)
                let xq = Int(sx.rounded(.toNearestOrEven)), yq = Int(sy.rounded(.toNearestOrEven))
                let x0 = xq >> 5, y0 = yq >> 5
                let ax = Float(xq & 31) * (1 / 32), ay = Float(yq & 31) * (1 / 32)
                let weights: [Float] = [(1 - ax) * (1 - ay), ax * (1 - ay), (1 - ax) * ay, ax * ay]
                var rgb: [Float] = [0, 0, 0]
                for (k, (dx, dy)) in [(0, 0), (1, 0), (0, 1), (1, 1)].enumerated() {
                    var x = x0 + dx, y = y0 + dy
                    if zeroBorder {
                        if x < 0 || y < 0 || x > maxX || y > maxY { continue }
                    } else {
                        x = min(max(x, 0), maxX)
                        y = min(max(y, 0), maxY)
                    }
                    for ch in 0..<3 { rgb[ch] += weights[k] * Float(src[y * rowBytes + x * 3 + ch]) }
                }
                for ch in 0..<3 { out.append(Float(Int32(rgb[ch] + 0.5)) * (1 / 255)) }
            }
        }
        return out
    }
}
