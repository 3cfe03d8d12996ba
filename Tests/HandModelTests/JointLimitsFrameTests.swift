import HandModel
import XCTest

/// A quarter turn about z, (x, y, z) → (−y, x, z): an axis-angle value turns the same way.
private func turn(_ p: SIMD3<Double>) -> SIMD3<Double> { SIMD3(-p.y, p.x, p.z) }

/// The built-in hand with its rest template turned by `turn`, as a MANO template pointing another
/// way would be.
private func turnedBuiltIn(_ side: HandSide) throws -> (original: HandModel, turned: HandModel) {
    let original = HandModel.builtIn(side: side)
    return (original, try HandModel(tensors: original.tensors.rotated(turn), side: side))
}

/// MANO's pose values are axis-angle about its rest frame's world axes, and a MANO file keeps MANO's
/// own frame, whatever way its template hand points. The limits are built from the rest skeleton,
/// so a model whose rest hand is turned by a rotation that maps axes onto axes must get the same
/// limits carried along: here the built-in hand turned 90° about z (fingers +x → +y), as a MANO
/// template pointing another way would be.
final class JointLimitsFrameTests: XCTestCase {
    func testLimitsFollowTheRestFrameOfARotatedTemplate() throws {
        for side in HandSide.allCases {
            let (original, turned) = try turnedBuiltIn(side)
            for q in 0..<15 {
                let a = original.poseLimits[3 * q], b = original.poseLimits[3 * q + 1], c = original.poseLimits[3 * q + 2]
                // ω' = (−ωy, ωx, ωz): the first value's range is −(y's range), the second x's.
                let expected = [(-b.upperBound)...(-b.lowerBound), a, c]
                for k in 0..<3 {
                    let got = turned.poseLimits[3 * q + k]
                    XCTAssertEqual(got.lowerBound, expected[k].lowerBound, accuracy: 1e-12, "\(side) joint \(q + 1) axis \(k)")
                    XCTAssertEqual(got.upperBound, expected[k].upperBound, accuracy: 1e-12, "\(side) joint \(q + 1) axis \(k)")
                }
            }
            // And a posed hand turned along stays the same hand: keypoints rotate with the frame.
            var p = HandParameters.rest
            p.pose = (0..<45).map { i in 0.3 * sin(Double(i)) }
            var pt = p
            for q in 0..<15 {
                let w = turn(SIMD3(p.pose[3 * q], p.pose[3 * q + 1], p.pose[3 * q + 2]))
                pt.pose[3 * q] = w.x; pt.pose[3 * q + 1] = w.y; pt.pose[3 * q + 2] = w.z
            }
            let k0 = original.keypoints(p).map(turn), k1 = turned.keypoints(pt)
            let worst = zip(k0, k1).map { (($0 - $1) * ($0 - $1)).sum().squareRoot() }.max()!
            XCTAssertLessThan(worst, 1e-12)
        }
    }
}

/// The regressor's pose (learned on the built-in hand) carried into a model whose template points
/// another way: each joint's axis-angle turns with the frame, and comes back unchanged for the
/// same model.
final class PoseFrameTests: XCTestCase {
    func testAPoseCarriedIntoATurnedTemplateTurnsWithIt() throws {
        for side in HandSide.allCases {
            let (original, turned) = try turnedBuiltIn(side)
            let pose = (0..<45).map { i in 0.4 * sin(1.7 * Double(i) + 0.3) }
            var carried = pose
            turned.pose(&carried, from: original)
            var same = pose
            original.pose(&same, from: original)
            for q in 0..<15 {
                let expected = turn(SIMD3(pose[3 * q], pose[3 * q + 1], pose[3 * q + 2]))
                for k in 0..<3 {
                    XCTAssertEqual(carried[3 * q + k], expected[k], accuracy: 1e-12, "\(side) joint \(q + 1)")
                    XCTAssertEqual(same[3 * q + k], pose[3 * q + k], accuracy: 1e-12)
                }
            }
        }
    }
}
