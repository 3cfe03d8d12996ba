import XCTest
import HandModel
import Render
import Video

final class SynthTests: XCTestCase {
    private func checksum(_ image: PixelBuffer) -> UInt64 {
        image.withUnsafeBytes { raw in
            var h: UInt64 = 1469598103934665603
            for b in raw { h = (h ^ UInt64(b)) &* 1099511628211 }
            return h
        }
    }

    func testSameSeedSameClipDifferentSeedDifferentClip() {
        func frames(seed: UInt64) -> ([UInt64], [[SIMD3<Double>]]) {
            let model = HandModel.builtIn(side: .right)
            let a = SynthAnimation(model: model, frameCount: 20, seed: seed)
            let scene = SynthScene(width: 160, height: 120, model: model, shape: a.shape, seed: seed)
            let image = PixelBuffer(width: 160, height: 120)
            var mask: [UInt8] = []
            var sums: [UInt64] = [], joints: [[SIMD3<Double>]] = []
            for i in stride(from: 0, to: 20, by: 7) {
                let t = scene.render(a.pose(at: i), into: image, mask: &mask)
                sums.append(checksum(image))
                joints.append(t.joints3d)
            }
            return (sums, joints)
        }
        let a = frames(seed: 5), b = frames(seed: 5), c = frames(seed: 6)
        XCTAssertEqual(a.0, b.0)
        XCTAssertEqual(a.1, b.1)
        XCTAssertNotEqual(a.0, c.0)
    }

    func testTruthAgreesWithThePicturesAndTheModel() {
        let model = HandModel.builtIn(side: .right)
        let a = SynthAnimation(model: model, frameCount: 150, seed: 2)
        let scene = SynthScene(width: 320, height: 240, model: model, shape: a.shape, seed: 2)
        let image = PixelBuffer(width: 320, height: 240)
        var mask: [UInt8] = []
        var gestures = Set<String>()
        for i in stride(from: 0, to: 150, by: 10) {
            let pose = a.pose(at: i)
            let t = scene.render(pose, into: image, mask: &mask)
            gestures.insert(t.gesture)
            // joints3d are the model's keypoints for the written parameters; joints2d their projections.
            let k = model.keypoints(t.parameters)
            for j in 0..<21 {
                XCTAssertLessThan(((k[j] - t.joints3d[j]) * (k[j] - t.joints3d[j])).sum(), 1e-18)
                let uv = scene.camera.project(SIMD3<Float>(t.joints3d[j]))
                XCTAssertEqual(Float(t.joints2d[j].x), uv.x, accuracy: 1e-3)
                XCTAssertEqual(Float(t.joints2d[j].y), uv.y, accuracy: 1e-3)
                XCTAssertTrue(uv.x > 0 && uv.x < 320 && uv.y > 0 && uv.y < 240, "frame \(i) joint \(j) leaves the picture")
            }
            // The mask is the hand model's silhouette: it holds the projected vertices (outline vertices within
            // a pixel) and a hand-sized area.
            let area = mask.filter { $0 == 255 }.count
            XCTAssertGreaterThan(area, 1500, "frame \(i)")
            XCTAssertLessThan(area, 320 * 240 / 4, "frame \(i)")
            var inside = 0
            let v = model.vertices(t.parameters)
            for p in v {
                let uv = scene.camera.project(SIMD3<Float>(p))
                let x = Int(uv.x), y = Int(uv.y)
                var hit = false
                for dy in -1...1 {
                    for dx in -1...1 where x + dx >= 0 && y + dy >= 0 && x + dx < 320 && y + dy < 240 {
                        if mask[(y + dy) * 320 + x + dx] == 255 { hit = true }
                    }
                }
                if hit { inside += 1 }
            }
            XCTAssertGreaterThan(Double(inside) / Double(v.count), 0.99, "frame \(i)")
            // The wrist's forearm reaches the picture's bottom edge (the notes' detection lesson).
            var bottom = 0
            for x in 0..<320 where image.pixel(x: x, y: 239).r > image.pixel(x: x, y: 239).b + 20 { bottom += 1 }
            XCTAssertGreaterThan(bottom, 10, "frame \(i): no forearm at the bottom edge")
        }
        XCTAssertGreaterThanOrEqual(gestures.count, 3, "the clip should move through several gestures")
    }

    func testClipFilesDecodeWithTheRightFrameCount() throws {
        var options = SynthOptions()
        options.width = 160
        options.height = 120
        options.frames = 12
        let dir = NSTemporaryDirectory()
        let video = dir + "render-synth-\(getpid()).mp4", mask = dir + "render-synth-mask-\(getpid()).mp4"
        defer {
            try? FileManager.default.removeItem(atPath: video)
            try? FileManager.default.removeItem(atPath: mask)
        }
        var truths = 0
        _ = try SynthClip.write(options, video: video, mask: mask) { i, _ in
            XCTAssertEqual(i, truths)
            truths += 1
        }
        XCTAssertEqual(truths, 12)
        for path in [video, mask] {
            let source = try VideoSource(InputSpec(parsing: path))
            var n = 0
            while case .frame = source.next() { n += 1 }
            XCTAssertEqual(n, 12, path)
        }
    }
}
