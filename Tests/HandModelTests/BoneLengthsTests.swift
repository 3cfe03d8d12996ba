import Foundation
import HandModel
import XCTest

/// The mesh stretched with the keypoints' bone factors (`BoneLengths`): the records' `joints3d` and
/// `vertices` must describe the same hand.
final class BoneLengthsTests: XCTestCase {
    typealias SplitMix = ForwardFunctionTests.SplitMix

    static func factors(_ rng: inout SplitMix) -> [Double] { (0..<BoneLengths.count).map { _ in 1 + 0.4 * rng.next() } }

    /// The posed keypoints and their scaled copy, flat.
    static func keypoints(_ model: HandModel, _ p: HandParameters, factors: [Double]) -> (posed: [Double], scaled: [Double]) {
        (model.keypoints(p).flatMap { [$0.x, $0.y, $0.z] }, model.keypoints(p, boneFactors: factors).flatMap { [$0.x, $0.y, $0.z] })
    }

    func testOnesChangeNothing() {
        let model = HandModel.builtIn(side: .right)
        var rng = SplitMix(s: 11)
        let p = ForwardFunctionTests.randomParameters(&rng)
        var stretched = [SIMD3<Double>](repeating: .zero, count: model.vertexCount)
        let ones = [Double](repeating: 1, count: BoneLengths.count)
        ones.withUnsafeBufferPointer { f in
            stretched.withUnsafeMutableBufferPointer { model.vertices(p, boneFactors: f, into: $0, workspace: HandModelWorkspace(model: model)) }
        }
        XCTAssertEqual(stretched, model.vertices(p))
        let (posed, scaled) = Self.keypoints(model, p, factors: ones)
        for i in 0..<63 { XCTAssertEqual(posed[i], scaled[i], accuracy: 1e-15) }
    }

    /// Scaling along the chain: each scaled bone is its factor times the posed bone, and the wrist stays.
    func testScaledBonesAreTheFactorTimesThePosedBones() {
        let model = HandModel.builtIn(side: .left)
        var rng = SplitMix(s: 12)
        for _ in 0..<5 {
            let p = ForwardFunctionTests.randomParameters(&rng), f = Self.factors(&rng)
            let (k, s) = Self.keypoints(model, p, factors: f)
            for c in 0..<3 { XCTAssertEqual(s[c], k[c]) }
            for j in 1...20 {
                let q = BoneLengths.parents[j - 1]
                for c in 0..<3 { XCTAssertEqual(s[3 * j + c] - s[3 * q + c], f[j - 1] * (k[3 * j + c] - k[3 * q + c]), accuracy: 1e-12) }
            }
        }
    }

    /// The built-in hand's fingertip keypoints are surface vertices skinned to one joint: stretched,
    /// each is its scaled keypoint. A vertex on one digit bone keeps its distance from the bone's
    /// line and moves along it by the factor, measured from the bone's moved start.
    func testTheStretchedMeshFollowsTheScaledKeypoints() throws {
        for side in [HandSide.right, .left] {
            let model = HandModel.builtIn(side: side)
            var rng = SplitMix(s: side == .right ? 13 : 14)
            for _ in 0..<5 {
                let p = ForwardFunctionTests.randomParameters(&rng), f = Self.factors(&rng)
                let (k, s) = Self.keypoints(model, p, factors: f)
                let before = model.vertices(p)
                var after = [SIMD3<Double>](repeating: .zero, count: model.vertexCount)
                f.withUnsafeBufferPointer { factors in
                    after.withUnsafeMutableBufferPointer { model.vertices(p, boneFactors: factors, into: $0, workspace: HandModelWorkspace(model: model)) }
                }
                func point(_ a: [Double], _ j: Int) -> SIMD3<Double> { SIMD3(a[3 * j], a[3 * j + 1], a[3 * j + 2]) }
                for (digit, tip) in [4, 8, 12, 16, 20].enumerated() {
                    let v = model.tensors.tipVertices[digit]
                    XCTAssertLessThan(simd_length(after[v] - point(s, tip)), 1e-12, "\(side) tip \(tip)")
                }
                // Vertices wholly on one digit bone (weight one).
                let table = model.vertexBoneWeights, n = BoneLengths.count
                var checked = 0
                for v in 0..<model.vertexCount {
                    let row = table[(v * n)..<((v + 1) * n)]
                    guard let b = row.firstIndex(of: 1).map({ $0 - v * n }), b % 4 != 0 else { continue }  // one digit bone, not a palm ray
                    let q = BoneLengths.parents[b], j = b + 1
                    let axis = simd_normalize(point(k, j) - point(k, q))
                    let x = before[v] - point(k, q), y = after[v] - point(s, q)
                    XCTAssertEqual(simd_dot(y, axis), f[b] * simd_dot(x, axis), accuracy: 1e-12)
                    XCTAssertLessThan(simd_length((y - simd_dot(y, axis) * axis) - (x - simd_dot(x, axis) * axis)), 1e-12)
                    checked += 1
                }
                XCTAssertGreaterThan(checked, 50)  // 74 on the built-in hand, whose skinning blends across joints
            }
        }
    }

    /// Every vertex's bone weights sum to its skinning weights' sum (one).
    func testEachVertexsBoneWeightsSumToOne() {
        let model = HandModel.builtIn(side: .right)
        let dense = model.vertexBoneWeights
        for v in 0..<model.vertexCount {
            XCTAssertEqual(dense[(v * BoneLengths.count)..<((v + 1) * BoneLengths.count)].reduce(0, +), 1, accuracy: 1e-9)
        }
    }
}

private func simd_length(_ v: SIMD3<Double>) -> Double { (v * v).sum().squareRoot() }
private func simd_dot(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double { (a * b).sum() }
private func simd_normalize(_ v: SIMD3<Double>) -> SIMD3<Double> { v / simd_length(v) }
