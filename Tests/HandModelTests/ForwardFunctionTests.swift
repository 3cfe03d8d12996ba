import Foundation
import HandModel
import XCTest

/// The forward function against independent oracles: central finite differences for every Jacobian
/// column, and geometric invariants.
final class ForwardFunctionTests: XCTestCase {
    /// A deterministic generator so failures reproduce.
    struct SplitMix { var s: UInt64
        mutating func next() -> Double {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53) * 2 - 1
        }
    }

    static func randomParameters(_ rng: inout SplitMix, poseScale: Double = 0.6) -> HandParameters {
        HandParameters(globalOrient: SIMD3(rng.next(), rng.next(), rng.next()) * 1.5,
                       pose: (0..<45).map { _ in rng.next() * poseScale },
                       shape: (0..<10).map { _ in rng.next() * 1.5 },
                       transl: SIMD3(rng.next(), rng.next(), rng.next()) * 0.3)
    }

    /// Largest |analytic − central difference| over all entries, relative to the column scale.
    static func jacobianError(model: HandModel, parameters p: HandParameters, vertices: Bool) -> (maxAbs: Double, maxEntry: Double) {
        let n = vertices ? model.vertexCount : HandModel.keypointCount
        let ws = HandModelWorkspace(model: model)
        var out = [SIMD3<Double>](repeating: .zero, count: n)
        var jac = [Double](repeating: .nan, count: 3 * n * 61)
        func evaluate(_ q: HandParameters, _ o: inout [SIMD3<Double>], _ j: UnsafeMutableBufferPointer<Double>?) {
            o.withUnsafeMutableBufferPointer {
                if vertices { model.vertices(q, into: $0, jacobian: j, workspace: ws) } else { model.keypoints(q, into: $0, jacobian: j, workspace: ws) }
            }
        }
        jac.withUnsafeMutableBufferPointer { evaluate(p, &out, $0) }
        let h = 1e-6
        var maxAbs = 0.0, maxEntry = 0.0
        var plus = out, minus = out
        for col in 0..<61 {
            var v = p.vector
            v[col] += h
            evaluate(HandParameters(vector: v), &plus, nil)
            v[col] -= 2 * h
            evaluate(HandParameters(vector: v), &minus, nil)
            for i in 0..<n {
                let fd = (plus[i] - minus[i]) / (2 * h)
                for a in 0..<3 {
                    let analytic = jac[(3 * i + a) * 61 + col]
                    maxAbs = max(maxAbs, abs(analytic - fd[a]))
                    maxEntry = max(maxEntry, abs(fd[a]))
                }
            }
        }
        return (maxAbs, maxEntry)
    }

    func testKeypointJacobianMatchesFiniteDifferences() {
        var rng = SplitMix(s: 1)
        for side in HandSide.allCases {
            let model = HandModel.builtIn(side: side)
            for _ in 0..<5 {
                let e = Self.jacobianError(model: model, parameters: Self.randomParameters(&rng), vertices: false)
                XCTAssertGreaterThan(e.maxEntry, 0.01)
                XCTAssertLessThan(e.maxAbs, 1e-7, "\(side): keypoint Jacobian off by \(e.maxAbs)")
                print("keypoint Jacobian, \(side) hand: max |analytic − central difference| = \(e.maxAbs) (largest entry \(e.maxEntry))")
            }
        }
    }

    func testVertexJacobianMatchesFiniteDifferences() {
        var rng = SplitMix(s: 2)
        let e = Self.jacobianError(model: .builtIn(side: .right), parameters: Self.randomParameters(&rng), vertices: true)
        XCTAssertLessThan(e.maxAbs, 1e-7, "vertex Jacobian off by \(e.maxAbs)")
        print("vertex Jacobian: max |analytic − central difference| = \(e.maxAbs) (largest entry \(e.maxEntry))")
    }

    func testJacobianNearZeroRotationMatchesFiniteDifferences() {
        // The small-angle series in the rotation and its left Jacobian must agree with the closed forms.
        var p = HandParameters.rest
        p.pose[4] = 1e-5
        p.globalOrient = SIMD3(2e-5, 0, -1e-5)
        let e = Self.jacobianError(model: .builtIn(side: .right), parameters: p, vertices: false)
        XCTAssertLessThan(e.maxAbs, 1e-7)
    }

    func testRestPoseReproducesTemplate() {
        let model = HandModel.builtIn(side: .right)
        let v = model.vertices(.rest)
        for (a, b) in zip(v, model.restVertices) { XCTAssertLessThan(((a - b) * (a - b)).sum(), 1e-24) }
        let ws = HandModelWorkspace(model: model)
        var joints = [SIMD3<Double>](repeating: .zero, count: 16)
        joints.withUnsafeMutableBufferPointer { model.joints(.rest, into: $0, workspace: ws) }
        for (a, b) in zip(joints, model.restJoints) { XCTAssertLessThan(((a - b) * (a - b)).sum(), 1e-24) }
    }

    func testRootRotationRotatesEverythingRigidlyAboutTheWrist() {
        var rng = SplitMix(s: 3)
        let model = HandModel.builtIn(side: .right)
        var p = Self.randomParameters(&rng)
        p.globalOrient = .zero
        p.transl = .zero
        let before = model.vertices(p) + model.keypoints(p)
        let wrist = model.restJoints[0] + zip(model.tensors.jointShapeDirs[0..<10], p.shape).reduce(SIMD3<Double>.zero) { $0 + $1.0 * $1.1 }
        let axis = SIMD3<Double>(0.3, -0.5, 0.8)
        let angle = 1.1
        p.globalOrient = axis / (axis * axis).sum().squareRoot() * angle
        let after = model.vertices(p) + model.keypoints(p)
        // Rodrigues' formula written out independently of the library's matrix code.
        let k = axis / (axis * axis).sum().squareRoot()
        func rotate(_ v: SIMD3<Double>) -> SIMD3<Double> {
            let c = cos(angle), s = sin(angle)
            let kxv = SIMD3(k.y * v.z - k.z * v.y, k.z * v.x - k.x * v.z, k.x * v.y - k.y * v.x)
            return v * c + kxv * s + k * ((k * v).sum()) * (1 - c)
        }
        for (a, b) in zip(before, after) {
            let expected = rotate(a - wrist) + wrist
            XCTAssertLessThan(((expected - b) * (expected - b)).sum().squareRoot(), 1e-12)
        }
    }

    func testTranslationShiftsEverything() {
        let model = HandModel.builtIn(side: .right)
        var p = HandParameters.rest
        p.transl = SIMD3(0.1, -0.2, 0.5)
        for (a, b) in zip(model.keypoints(.rest), model.keypoints(p)) {
            let d = b - a - p.transl
            XCTAssertLessThan((d * d).sum().squareRoot(), 1e-15)
        }
    }

    func testWeightsSumToOneAndBlendAcrossJoints() {
        let model = HandModel.builtIn(side: .right)
        let w = model.tensors.weights
        var blended = 0
        for i in 0..<model.vertexCount {
            let row = w[(i * 16)..<(i * 16 + 16)]
            XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-12)
            XCTAssertTrue(row.allSatisfy { $0 >= 0 })
            if row.filter({ $0 > 0 }).count > 1 { blended += 1 }
        }
        // Smooth blending means a good share of vertices feel more than one bone.
        XCTAssertGreaterThan(blended, model.vertexCount / 5)
        // No seams: across every mesh edge each joint's weight changes by less than half.
        var jump = 0.0
        for f in model.faces {
            for (a, b) in [(f.x, f.y), (f.y, f.z), (f.z, f.x)] {
                for j in 0..<16 { jump = max(jump, abs(w[Int(a) * 16 + j] - w[Int(b) * 16 + j])) }
            }
        }
        print("largest weight change across an edge: \(jump)")
        XCTAssertLessThan(jump, 0.5)
        // Every bone moves some vertex.
        for j in 0..<16 { XCTAssertTrue((0..<model.vertexCount).contains { w[$0 * 16 + j] > 0.5 }, "joint \(j) drives nothing") }
    }

    func testFingertipsAreSurfaceVerticesAndFlexionCurlsTowardThePalm() {
        let model = HandModel.builtIn(side: .right)
        let k = model.keypoints(.rest)
        let v = model.restVertices
        for (n, tip) in [4, 8, 12, 16, 20].enumerated() {
            XCTAssertEqual(k[tip], v[model.tensors.tipVertices[n]])
        }
        // Flexing every finger joint by its limit's midpoint moves fingertips toward the palm (+y).
        var p = HandParameters.rest
        for i in 0..<36 { p.pose[i] = (model.poseLimits[i].lowerBound + model.poseLimits[i].upperBound) / 2 }
        let bent = model.keypoints(p)
        for tip in [8, 12, 16, 20] { XCTAssertGreaterThan(bent[tip].y - k[tip].y, 0.02) }
    }

    func testMediaPipeLandmarksSitWhereMediaPipePutsThem() {
        let mp = HandModel.builtIn(side: .right)
        let joints = mp.with(keypoints: .modelJoints).keypoints(.rest)
        let k = mp.keypoints(.rest)
        let wristShift = k[0] - joints[0], cmcShift = k[1] - joints[1]
        XCTAssertEqual((wristShift * wristShift).sum().squareRoot(), 0.014, accuracy: 1e-9)
        XCTAssertEqual((cmcShift * cmcShift).sum().squareRoot(), 0.012, accuracy: 1e-9)
        XCTAssertGreaterThan((wristShift * (joints[9] - joints[0])).sum(), 0)
    }
}
