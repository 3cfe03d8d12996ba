import Fitting
import HandModel
import Render
import Silhouette
import XCTest

/// Masks are input data: whatever a segmenter or a thresholded camera delivers must give a hand, no
/// hand, or a fit, never a crash or a value outside the frame.
final class MaskFuzzTests: XCTestCase {
    func testRandomMasksNeverCrashTheRegressorOrTheSilhouetteTerm() throws {
        let regressor = try MaskRegressor.bundled()
        var workspace = MaskRegressor.Workspace(regressor)
        let model = HandModel.builtIn(side: .right)
        var rng = SeededRandom(seed: 0x5EED_0F_F022)
        let iterations = Int(ProcessInfo.processInfo.environment["HANDMESH_FUZZ_ITERATIONS"] ?? "") ?? 300
        var found = 0
        var cutter = ForearmCutter()
        var components = MaskComponents()
        for i in 0..<iterations {
            let width = 1 + Int(rng.next() % 200), height = 1 + Int(rng.next() % 200)
            var mask = [UInt8](repeating: 0, count: width * height)
            switch i % 4 {
            case 0:  // noise of every density
                let threshold = rng.next() % 256
                for k in mask.indices { mask[k] = rng.next() % 256 < threshold ? 255 : 0 }
            case 1:  // random rectangles, some touching the border
                for _ in 0..<(1 + rng.next() % 6) {
                    let x0 = Int(rng.next() % UInt64(width)), y0 = Int(rng.next() % UInt64(height))
                    let x1 = min(width, x0 + Int(rng.next() % 120)), y1 = min(height, y0 + Int(rng.next() % 120))
                    for y in y0..<y1 { for x in x0..<x1 { mask[y * width + x] = 255 } }
                }
            case 2:  // grey levels around the threshold
                for k in mask.indices { mask[k] = UInt8(truncatingIfNeeded: 120 + rng.next() % 16) }
            default:  // all hand
                for k in mask.indices { mask[k] = 255 }
            }
            let camera = PinholeCamera.defaultCamera(width: width, height: height)
            var evidence = FitEvidence(keypoints: [SIMD2<Double>](repeating: .zero, count: 21), world: nil)
            let region = regressor.predict(mask: mask, width: width, height: height, camera: camera, isLeft: i % 2 == 0,
                                           into: &evidence, workspace: &workspace)
            guard let region else { continue }
            found += 1
            // The forearm cut takes any blob, and its line is finite and through the frame's plane.
            mask.withUnsafeBufferPointer { pixels in
                let view = MaskView(pixels.baseAddress!, width: width, height: height)
                guard let blob = MaskRegion.find(mask: view, components: &components),
                      let cut = cutter.find(mask: view, region: blob, components: components, anywhere: i % 2 == 0) else { return }
                XCTAssertTrue(cut.point.x.isFinite && cut.point.y.isFinite, "mask \(i), \(width)x\(height)")
                XCTAssertEqual((cut.towardArm * cut.towardArm).sum(), 1, accuracy: 1e-9, "mask \(i)")
            }
            XCTAssertTrue(region.side.isFinite && region.side > 0)
            XCTAssertTrue(evidence.keypoints.allSatisfy { $0.x.isFinite && $0.y.isFinite })
            XCTAssertTrue(evidence.world.allSatisfy { ($0 * $0).sum().isFinite })
            // The silhouette term takes the same mask and the predicted keypoints.
            let term = SilhouetteFitTerm(model: model, camera: RenderCamera(camera))
            mask.withUnsafeBufferPointer { term.setTarget(mask: MaskView($0.baseAddress!, width: width, height: height), around: evidence.keypoints) }
            let x = HandParameters(transl: SIMD3(0, 0, 0.5)).vector
            var jtj = [Double](repeating: 0, count: 61 * 61), jtr = [Double](repeating: 0, count: 61)
            let cost = x.withUnsafeBufferPointer { xs in
                jtj.withUnsafeMutableBufferPointer { a in jtr.withUnsafeMutableBufferPointer { term.accumulate(at: xs, jtj: a, jtr: $0) } }
            }
            XCTAssertTrue(cost.isFinite && jtj.allSatisfy(\.isFinite) && jtr.allSatisfy(\.isFinite), "mask \(i), \(width)x\(height)")
        }
        XCTAssertGreaterThan(found, iterations / 4, "many of the masks hold a blob large enough to be a hand")
    }
}
