import Fitting
import Foundation
import HandModel
import XCTest

/// The stereo measures on hands whose every figure is known: a hand placed in camera 0's frame,
/// seen through the real calibration (distortion included), triangulated back.
final class StereoScoreTests: XCTestCase {
    let model = HandModel.builtIn(side: .right)

    func calibration() throws -> StereoCalibration {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../shared/data/stereo-hand/camera_parameters")
        guard FileManager.default.fileExists(atPath: dir.path) else {
            throw MissingTestInput("\(dir.path): the stereo-hand clip's calibration (../shared beside the project)")
        }
        return try StereoCalibration(directory: dir)
    }

    /// A moving hand of constant size: the true joints score 0 everywhere; a copy that grows and
    /// shrinks from frame to frame keeps its PA error at 0 (a similarity per frame) but shows in the
    /// one-scale error and the bone-length variation; view 1's own joints agree across views.
    func testKnownHandsScoreWhatTheyAre() throws {
        let cal = try calibration()
        var rng = SeededRandom(seed: 11)
        let sampler = PoseSampler(model: model)
        var truth: [Int: [SIMD3<Double>]] = [:], exact: [Int: [SIMD3<Double>]] = [:], breathing: [Int: [SIMD3<Double>]] = [:]
        var view1: [Int: [SIMD3<Double>]] = [:], seconds: [Int: Double] = [:]
        let pose = sampler.sample(&rng)
        for f in 0..<60 {
            // In front of camera 0 where both views see it (the rig looks at the desk near 0.5 units).
            let p = HandParameters(globalOrient: SIMD3(0.3, 0.2 + 0.01 * Double(f), 0.1), pose: pose,
                                   transl: SIMD3(0.0, 0.0, 0.5))
            let joints = model.keypoints(p)
            // The calibration's units are unknown (not metres): scale the scene into them.
            let unit = 20.0
            let seen0 = joints.map { cal.camera0.project($0 * unit) }
            let seen1 = joints.map { cal.camera1.project(cal.rotation * ($0 * unit) + cal.translation) }
            truth[f] = StereoScore.triangulate(seen0, seen1, calibration: cal)
            exact[f] = joints
            let s = 1 + 0.05 * sin(Double(f))
            breathing[f] = joints.map { joints[0] + s * ($0 - joints[0]) }
            view1[f] = joints.map { cal.rotation * $0 }
            seconds[f] = Double(f) / 30
        }
        let good = StereoScore.score(joints: exact, world: exact, truth: truth, seconds: seconds)
        XCTAssertEqual(good.frames, 60)
        XCTAssertLessThan(good.triangulated, 0.01)
        XCTAssertLessThan(good.wristRelative, 0.01)
        XCTAssertLessThan(good.boneVariation, 1e-6)
        XCTAssertEqual(good.settleSeconds, 0, accuracy: 1e-9)
        XCTAssertEqual(good.lag, 0, accuracy: 0.05)

        let bad = StereoScore.score(joints: breathing, world: exact, truth: truth, seconds: seconds)
        XCTAssertLessThan(bad.triangulated, 0.01)
        XCTAssertGreaterThan(bad.wristRelative, 1)
        XCTAssertGreaterThan(bad.boneVariation, 2)

        let cross = try XCTUnwrap(StereoScore.crossView(exact, view1, rotation: cal.rotation))
        XCTAssertEqual(cross.frames, 60)
        XCTAssertLessThan(cross.mean, 1e-6)
        let shifted = try XCTUnwrap(StereoScore.crossView(breathing, view1, rotation: cal.rotation))
        XCTAssertGreaterThan(shifted.mean, 1)
    }

    /// The truth gets its metric size from the world landmarks, and a run is read in the truth's
    /// units: a run that fits the same hand at half its size scores what the full-size run scores.
    /// Aligning the truth onto the run instead measured in the run's size: half the size, half the
    /// error (the stereo clip's figures were that way until 2026-12-06).
    func testASmallerHandScoresNoBetter() throws {
        let cal = try calibration()
        var rng = SeededRandom(seed: 5)
        let sampler = PoseSampler(model: model)
        let unit = 20.0
        var truth: [Int: [SIMD3<Double>]] = [:], noisy: [Int: [SIMD3<Double>]] = [:], halved: [Int: [SIMD3<Double>]] = [:]
        var seconds: [Int: Double] = [:]
        for f in 0..<20 {
            let p = HandParameters(globalOrient: SIMD3(0.3, 0.2, 0.1), pose: sampler.sample(&rng), transl: SIMD3(0, 0, 0.5))
            let joints = model.keypoints(p)
            let seen0 = joints.map { cal.camera0.project($0 * unit) }
            let seen1 = joints.map { cal.camera1.project(cal.rotation * ($0 * unit) + cal.translation) }
            truth[f] = StereoScore.triangulate(seen0, seen1, calibration: cal)
            let n = joints.map { $0 + SIMD3(rng.gaussian(), rng.gaussian(), rng.gaussian()) * 0.004 }
            noisy[f] = n
            halved[f] = n.map { n[0] + 0.5 * ($0 - n[0]) }
            seconds[f] = Double(f) / 30
        }
        let metres = StereoScore.metricScale(truth: Array(truth.values), world: Array(noisy.values))
        XCTAssertEqual(metres, 1 / unit, accuracy: 0.05 / unit, "the world landmarks' size sets the truth's")
        let metric = truth.mapValues { $0.map { $0 * metres } }
        let full = StereoScore.score(joints: noisy, world: noisy, truth: metric, seconds: seconds)
        let half = StereoScore.score(joints: halved, world: noisy, truth: metric, seconds: seconds)
        XCTAssertGreaterThan(full.triangulated, 3, "4 mm of noise per axis shows, mm")
        XCTAssertEqual(half.triangulated, full.triangulated, accuracy: 1e-6)
        XCTAssertEqual(half.wristRelative, full.wristRelative, accuracy: 1e-6)
    }

    /// `eval stereo --proportions` reads the triangulated points' bone ratios: for a known hand seen
    /// by both calibrated cameras they are the hand's own, whatever the calibration's units.
    func testTriangulatedProportionsAreTheHands() throws {
        let cal = try calibration()
        var rng = SeededRandom(seed: 13)
        let p = HandParameters(globalOrient: SIMD3(0.3, 0.2, 0.1), pose: PoseSampler(model: model).sample(&rng), transl: SIMD3(0, 0, 0.5))
        let joints = model.keypoints(p)
        let unit = 20.0
        let seen0 = joints.map { cal.camera0.project($0 * unit) }
        let seen1 = joints.map { cal.camera1.project(cal.rotation * ($0 * unit) + cal.translation) }
        let triangulated = LandmarkProportions.ratios(StereoScore.triangulate(seen0, seen1, calibration: cal))
        for (a, b) in zip(triangulated, LandmarkProportions.ratios(joints)) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }
}
