import HandModel
import XCTest

/// The landmark network's proportions on a model (`HandModel.landmarkBoneFactors`): its rest
/// keypoints, scaled by them, have the measured ratios; the model's own joints keep their bones.
final class LandmarkProportionsTests: XCTestCase {
    /// Ratios of a hand whose bone lengths are known: each bone over the four finger palm rays.
    func testRatiosAreEachBoneOverTheFingerPalmRays() {
        // A straight chain per digit along its own direction, bone b of length b + 1 (cm).
        var k = [SIMD3<Double>](repeating: .zero, count: 21)
        for j in 1...20 {
            let digit = (j - 1) / 4
            let direction = SIMD3(cos(Double(digit) * 0.3), sin(Double(digit) * 0.3), 0)
            k[j] = k[BoneLengths.parents[j - 1]] + Double(j) * 0.01 * direction
        }
        // Finger palm rays: bones 5, 9, 13, 17 (1-based keypoints), lengths 5 + 9 + 13 + 17 = 44 cm.
        let ratios = LandmarkProportions.ratios(k)
        for b in 0..<20 { XCTAssertEqual(ratios[b], Double(b + 1) / 44, accuracy: 1e-12, "bone \(b)") }
    }

    func testTheBuiltInHandTakesTheMeasuredProportions() {
        for side in [HandSide.right, .left] {
            let model = HandModel.builtIn(side: side)
            let rest = model.keypoints(HandParameters(), boneFactors: model.landmarkBoneFactors)
            let ratios = LandmarkProportions.ratios(rest)
            // The measured ratios are rounded: their palm rays sum to one within 1e-4.
            let target = LandmarkProportions.mediaPipe, rays = target[4] + target[8] + target[12] + target[16]
            XCTAssertEqual(rays, 1, accuracy: 1e-3)
            for b in 0..<20 { XCTAssertEqual(ratios[b], target[b] / rays, accuracy: 1e-9, "\(side) bone \(b)") }
            // The fingers are the network's short ones: the middle finger's phalanges shrink most.
            XCTAssertLessThan(model.landmarkBoneFactors[10], model.landmarkBoneFactors[9])
            XCTAssertEqual(model.with(keypoints: .modelJoints).landmarkBoneFactors, [Double](repeating: 1, count: 20))
        }
    }
}
