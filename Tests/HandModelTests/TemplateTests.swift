import Foundation
import HandModel
import XCTest

/// The built-in template: a closed, consistently oriented surface of MANO's density, generated the
/// same way every time, with shape directions that move joints and surface together.
final class TemplateTests: XCTestCase {
    func testTemplateIsWatertightAndConsistentlyOriented() {
        for side in HandSide.allCases {
            let model = HandModel.builtIn(side: side)
            let v = model.vertexCount, f = model.faces
            XCTAssertEqual(v, 778)
            XCTAssertEqual(f.count, 1552) // 2V − 4: a closed genus-0 surface of MANO's vertex count
            var directed: [SIMD2<Int32>: Int] = [:]
            for t in f {
                XCTAssertTrue(t.x != t.y && t.y != t.z && t.x != t.z, "degenerate face \(t)")
                for (a, b) in [(t.x, t.y), (t.y, t.z), (t.z, t.x)] { directed[SIMD2(a, b), default: 0] += 1 }
            }
            // Every edge is shared by exactly two faces that traverse it in opposite directions.
            for (e, n) in directed {
                XCTAssertEqual(n, 1, "edge \(e) used twice in one direction")
                XCTAssertEqual(directed[SIMD2(e.y, e.x)], 1, "edge \(e) has no opposite half")
            }
            let edges = directed.count / 2
            let used = Set(f.flatMap { [$0.x, $0.y, $0.z] })
            XCTAssertEqual(used.count, v)
            XCTAssertEqual(v - edges + f.count, 2, "Euler characteristic")
            // Outward orientation: positive enclosed volume, about a real hand's (~300–450 ml).
            let p = model.restVertices
            let volume = f.reduce(0.0) { s, t in
                let a = p[Int(t.x)], b = p[Int(t.y)], c = p[Int(t.z)]
                return s + (a * SIMD3(b.y * c.z - b.z * c.y, b.z * c.x - b.x * c.z, b.x * c.y - b.y * c.x)).sum() / 6
            }
            print("built-in \(side) hand: \(v) vertices, \(f.count) faces, \(edges) edges, volume \(volume * 1e6) ml")
            XCTAssertGreaterThan(volume, 250e-6)
            XCTAssertLessThan(volume, 500e-6)
        }
    }

    func testProportionsMatchTheAnthropometry() {
        let k = HandModel.builtIn(side: .right).with(keypoints: .modelJoints).keypoints(.rest)
        func distance(_ a: Int, _ b: Int) -> Double { ((k[a] - k[b]) * (k[a] - k[b])).sum().squareRoot() }
        // Hand length: wrist joint to the middle fingertip, ≈ 186 mm (Buchholz et al. 1992 coefficients sum to ~0.93 of it from the CMC).
        XCTAssertEqual(distance(0, 12), 0.186, accuracy: 0.006)
        // Middle finger segments ≈ 0.277, 0.170, 0.108 of hand length.
        XCTAssertEqual(distance(9, 10) / 0.186, 0.277, accuracy: 0.002)
        XCTAssertEqual(distance(10, 11) / 0.186, 0.170, accuracy: 0.002)
        XCTAssertEqual(distance(11, 12) / 0.186, 0.108, accuracy: 0.002)
        // Knuckle breadth across index and pinky MCP centres, a little under the 84 mm hand breadth.
        XCTAssertEqual(distance(5, 17), 0.057, accuracy: 0.008)
    }

    func testShapeDirectionsMoveJointsAndSurfaceTogether() {
        let model = HandModel.builtIn(side: .right)
        let rest = model.with(keypoints: .modelJoints).keypoints(.rest)
        let restVertices = model.vertices(.rest)
        for k in 0..<10 {
            var p = HandParameters.rest
            p.shape[k] = 1
            let moved = model.with(keypoints: .modelJoints).keypoints(p)
            let movedVertices = model.vertices(p)
            let jointShift = zip(rest, moved).map { (($0 - $1) * ($0 - $1)).sum().squareRoot() }.max()!
            let surfaceShift = zip(restVertices, movedVertices).map { (($0 - $1) * ($0 - $1)).sum().squareRoot() }.max()!
            XCTAssertGreaterThan(surfaceShift, 0.0008, "\(ShapeSpace.names[k]) barely moves the surface")
            if !ShapeSpace.names[k].contains("thickness") {
                XCTAssertGreaterThan(jointShift, 0.0008, "\(ShapeSpace.names[k]) barely moves the joints")
            }
            XCTAssertLessThan(surfaceShift, 0.03)
        }
        // "size" scales the hand about the wrist by 5% per unit.
        var p = HandParameters.rest
        p.shape[0] = 1
        let scaled = model.with(keypoints: .modelJoints).keypoints(p)
        XCTAssertEqual(((scaled[12] - scaled[0]) * (scaled[12] - scaled[0])).sum().squareRoot()
                       / ((rest[12] - rest[0]) * (rest[12] - rest[0])).sum().squareRoot(), 1.05, accuracy: 0.003)
    }

    func testLeftHandIsTheMirrorImage() {
        let right = HandModel.builtIn(side: .right), left = HandModel.builtIn(side: .left)
        var rng = ForwardFunctionTests.SplitMix(s: 9)
        let p = ForwardFunctionTests.randomParameters(&rng)
        XCTAssertLessThan(MirrorCheck.largestError(right: right, left: left, parameters: p), 1e-12)
        // Limits mirror too: a flexion on the right is the mirrored flexion on the left.
        for i in 0..<45 {
            let r = right.poseLimits[i], l = left.poseLimits[i]
            if i % 3 == 0 { XCTAssertEqual(r, l) } else {
                XCTAssertEqual(r.lowerBound, -l.upperBound, accuracy: 1e-12)
                XCTAssertEqual(r.upperBound, -l.lowerBound, accuracy: 1e-12)
            }
        }
    }

    func testEveryDegreeOfFreedomHasAnAnatomicalLimit() {
        for side in HandSide.allCases {
            let limits = HandModel.builtIn(side: side).poseLimits
            XCTAssertEqual(limits.count, 45)
            for (i, r) in limits.enumerated() {
                XCTAssertLessThan(r.lowerBound, r.upperBound)
                XCTAssertLessThanOrEqual(r.lowerBound, 0, "zero (the flat hand) must be allowed, value \(i)")
                XCTAssertGreaterThanOrEqual(r.upperBound, 0)
                XCTAssertLessThan(r.upperBound - r.lowerBound, 2.1)
            }
            // Finger PIP flexion reaches beyond 100°.
            let pip = [1, 4, 7, 10].map { 3 * $0 }
            for j in pip { XCTAssertTrue(limits[j..<(j + 3)].contains { $0.upperBound > 1.74 || $0.lowerBound < -1.74 }) }
        }
    }

    func testFlexionWithinLimitsCurlsFingersTowardThePalmOnBothHands() {
        for side in HandSide.allCases {
            let model = HandModel.builtIn(side: side)
            let rest = model.keypoints(.rest)
            var p = HandParameters.rest
            for i in 0..<36 { p.pose[i] = (model.poseLimits[i].lowerBound + model.poseLimits[i].upperBound) / 2 }
            let bent = model.keypoints(p)
            // The palm faces +y in both hands (the mirror is in x).
            for tip in [8, 12, 16, 20] { XCTAssertGreaterThan(bent[tip].y - rest[tip].y, 0.02, "\(side) tip \(tip)") }
        }
    }

    func testTemplateIsDeterministic() {
        // Generated afresh twice, bit for bit the same, and the same as the cached model's arrays.
        let a = HandModelTensors.generatedBuiltIn(), b = HandModelTensors.generatedBuiltIn()
        XCTAssertEqual(a, b)
        XCTAssertEqual(a, HandModel.builtIn(side: .right).tensors)
        XCTAssertEqual(a.mirrored(), HandModel.builtIn(side: .left).tensors)
        XCTAssertEqual(a.mirrored().mirrored(), a)
    }
}
