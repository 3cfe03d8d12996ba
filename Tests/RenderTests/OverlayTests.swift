import XCTest
import HandModel
import Render
import Video

final class OverlayTests: XCTestCase {
    /// A right hand, palm to the camera 45 cm away, in a 320×240 grey frame.
    private func scene() -> (OverlayRenderer.Hand, RenderCamera, PixelBuffer) {
        let model = HandModel.builtIn(side: .right)
        let animation = SynthAnimation(model: model, frameCount: 1, seed: 4)
        let p = HandParameters(globalOrient: AxisAngle.vector(animation.base),
                               pose: HandArticulation(model: model).pose(HandGesture.relaxed.jointAngles),
                               transl: SIMD3(0.01, 0.07, 0.45))
        let camera = RenderCamera(width: 320, height: 240)
        let frame = PixelBuffer(width: 320, height: 240)
        frame.withUnsafeMutableBytes { raw in for i in 0..<raw.count { raw[i] = 90 } }
        return (OverlayRenderer.Hand(parameters: p, side: .right), camera, frame)
    }

    func testOverlayVideoPutsTheMeshOnTheProjectedVertices() throws {
        let (hand, camera, frame) = scene()
        let path = NSTemporaryDirectory() + "render-overlay-\(getpid()).mp4"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try OverlayWriter(path: path, width: 320, height: 240, fps: 10, camera: camera)
        writer.renderer.drawSkeleton = false
        writer.renderer.opacity = 1
        for _ in 0..<3 { try writer.write(frame, hands: [hand]) }
        try writer.finish()
        XCTAssertEqual(writer.framesWritten, 3)

        let source = try VideoSource(InputSpec(parsing: path))
        var decoded: [Frame] = []
        while case .frame(let f) = source.next() { decoded.append(f) }
        XCTAssertEqual(decoded.count, 3, "FFmpeg should read back every overlay frame")
        guard let f = decoded.last else { return }

        // Where the hand model's vertices project, the picture must be skin, not the grey frame.
        let vertices = HandModel.builtIn(side: .right).vertices(hand.parameters)
        var onSkin = 0, total = 0
        var lo = SIMD2<Float>(repeating: .infinity), hi = SIMD2<Float>(repeating: -.infinity)
        for v in vertices {
            let uv = camera.project(SIMD3<Float>(v))
            lo = pointwiseMin(lo, uv)
            hi = pointwiseMax(hi, uv)
            // Sample half a pixel inward of the outline: the nearest pixel centre.
            let x = Int(uv.x), y = Int(uv.y)
            guard x >= 1, y >= 1, x < 319, y < 239 else { continue }
            total += 1
            // Outline vertices sit on the silhouette's edge: look within a pixel for the painted mesh, which
            // differs from the uniform grey 90 in every tone the shading can give.
            var painted = false
            for dy in -1...1 {
                for dx in -1...1 {
                    let p = f.pixels.pixel(x: x + dx, y: y + dy)
                    if abs(Int(p.r) - 90) > 15 || abs(Int(p.g) - 90) > 15 || abs(Int(p.b) - 90) > 15 { painted = true }
                }
            }
            if painted { onSkin += 1 }
        }
        XCTAssertGreaterThan(total, 700)
        XCTAssertGreaterThan(Double(onSkin) / Double(total), 0.99, "mesh pixels should land on the projected vertices")
        // Away from the hand's projected bounding box the frame is unchanged (up to compression).
        var changed = 0, far = 0
        for y in stride(from: 0, to: 240, by: 3) {
            for x in stride(from: 0, to: 320, by: 3) {
                let fx = Float(x) + 0.5, fy = Float(y) + 0.5
                if fx > lo.x - 6 && fx < hi.x + 6 && fy > lo.y - 6 && fy < hi.y + 6 { continue }
                far += 1
                let p = f.pixels.pixel(x: x, y: y)
                if abs(Int(p.r) - 90) > 6 || abs(Int(p.g) - 90) > 6 || abs(Int(p.b) - 90) > 6 { changed += 1 }
            }
        }
        XCTAssertGreaterThan(far, 1000)
        XCTAssertEqual(changed, 0, "pixels away from the hand changed")
    }

    func testRenderLeavesTheInputFrameAloneAndDrawsJoints() {
        let (hand, camera, frame) = scene()
        let renderer = OverlayRenderer(width: 320, height: 240, camera: camera)
        let out = renderer.render(frame, hands: [hand])
        XCTAssertEqual(frame.pixel(x: 160, y: 120).r, 90, "the input frame must not be drawn on")
        // The wrist keypoint gets the palm colour's disc with a dark ring around it.
        let wrist = camera.project(SIMD3<Float>(HandModel.builtIn(side: .right).keypoints(hand.parameters)[0]))
        let p = out.pixel(x: Int(wrist.x), y: Int(wrist.y))
        XCTAssertEqual(SIMD3(Int(p.r), Int(p.g), Int(p.b)), SIMD3(235, 235, 235), "the wrist joint's disc")
        // With no hands the output is the frame.
        let empty = renderer.render(frame, hands: [])
        XCTAssertEqual(empty.pixel(x: Int(wrist.x), y: Int(wrist.y)).r, 90)
    }
}
