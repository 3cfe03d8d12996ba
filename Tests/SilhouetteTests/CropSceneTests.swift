import Fitting
import HandModel
import Silhouette
import XCTest

/// `CropScene` draws what it says: cameras, fills and viewpoints of a hand dataset's 224 px crops,
/// measured on the masks it renders (pixel counts, not its own arithmetic).
final class CropSceneTests: XCTestCase {
    func testDrawsCoverTheStatedRanges() {
        var scene = CropScene(model: HandModel.builtIn(side: .right))
        scene.augmentation = .none
        scene.forearmProbability = 0
        var rng = SeededRandom(seed: 14)
        let side = CropScene.side
        var fills: [Double] = []
        var sideViews = 0
        var cut = 0
        for _ in 0..<60 {
            scene.draw(&rng)
            XCTAssertTrue(CropScene.focalRange.contains(scene.camera.fx))
            var lo = SIMD2(side, side), hi = SIMD2(-1, -1)
            for y in 0..<side {
                for x in 0..<side where scene.mask[y * side + x] != 0 {
                    lo = pointwiseMin(lo, SIMD2(x, y))
                    hi = pointwiseMax(hi, SIMD2(x, y))
                }
            }
            XCTAssertGreaterThan(hi.x, lo.x, "a hand in every mask")
            let touches = lo.x == 0 || lo.y == 0 || hi.x == side - 1 || hi.y == side - 1
            if touches { cut += 1; continue }
            fills.append(Double(max(hi.x - lo.x + 1, hi.y - lo.y + 1)) / Double(side))
            // The palm's normal nearly across the line of sight: a side or edge-on view.
            let r = AxisAngle.matrix(scene.parameters.globalOrient)
            let normal = r * SIMD3(0, 1, 0)
            if abs(normal.z) < 0.3 { sideViews += 1 }
        }
        XCTAssertGreaterThanOrEqual(fills.min()!, CropScene.fillRange.lowerBound - 0.02)
        XCTAssertLessThanOrEqual(fills.max()!, CropScene.fillRange.upperBound + 0.02)
        XCTAssertGreaterThan(fills.max()! - fills.min()!, 0.3, "fills spread over the range")
        XCTAssertGreaterThan(sideViews, 5, "side and edge-on views are drawn")
        XCTAssertLessThan(cut, 20, "about one in ten cut by the frame's edge")
    }
}
