import Fitting
import Foundation
import HandModel
import XCTest

/// `handmesh eval stereo --proportions --before-frame N`: the numbers `LandmarkProportions` holds are
/// the triangulated points' bone ratios, medians over the frames before N. Records of a known hand,
/// seen through both calibrated cameras of the stereo clip, must read that hand's ratios; frames from
/// N on (a hand with other bones) must not count.
final class EvalStereoProportionsTests: XCTestCase {
    func testTheProportionsAreTheTriangulatedHandsBeforeTheFrame() throws {
        let parameters = "\(Fixtures.repositoryRoot)/../shared/data/stereo-hand/camera_parameters"
        guard FileManager.default.fileExists(atPath: parameters) else {
            throw MissingTestInput("\(parameters) is missing; the suite reads ../shared beside the repository")
        }
        let cal = try StereoCalibration(directory: URL(fileURLWithPath: parameters))
        let model = HandModel.builtIn(side: .right)
        let sampler = PoseSampler(model: model)
        var rng = SeededRandom(seed: 17)
        let other = (0..<BoneLengths.count).map { 1.3 + 0.01 * Double($0) }
        var views = [[String](), [String]()]
        var expected: [[Double]] = []
        for f in 0..<30 {
            let p = HandParameters(globalOrient: SIMD3(0.3, 0.2 + 0.01 * Double(f), 0.1), pose: sampler.sample(&rng),
                                   transl: SIMD3(0, 0, 0.5))
            let joints = model.keypoints(p, boneFactors: f < 20 ? model.landmarkBoneFactors : other)
            if f < 20 { expected.append(LandmarkProportions.ratios(joints)) }
            // The calibration's units are not metres (StereoScoreTests): the scene scaled into them.
            let seen = [joints.map { cal.camera0.project($0 * 20) },
                        joints.map { cal.camera1.project(cal.rotation * ($0 * 20) + cal.translation) }]
            for v in 0..<2 {
                let landmarks = seen[v].map { "[\($0.x),\($0.y)]" }.joined(separator: ",")
                views[v].append(#"{"type":"frame","index":\#(f),"pts":\#(Double(f) / 30),"hands":[{"landmarks":[\#(landmarks)]}]}"#)
            }
        }
        let directory = try TemporaryDirectory()
        let paths = [directory.file("view0.ndjson"), directory.file("view1.ndjson")]
        for v in 0..<2 { try (views[v].joined(separator: "\n") + "\n").write(toFile: paths[v], atomically: true, encoding: .utf8) }

        let eval = try runTool(try Fixtures.handmeshBinary(), ["eval", "stereo", "--proportions", "--before-frame", "20",
                                                               "--calibration", parameters] + paths, timeout: 120)
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let line = try XCTUnwrap(eval.stdout.split(separator: "\n").first { $0.hasPrefix("proportions over 20 frames before 20") }, eval.stdout)
        let printed = line.split(separator: ":").last!.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        XCTAssertEqual(printed.count, BoneLengths.count, String(line))
        for b in 0..<BoneLengths.count {
            let values = expected.map { $0[b] }.sorted()
            // The median of 20: the mean of the middle two; printed to four decimals.
            XCTAssertEqual(printed[b], (values[9] + values[10]) / 2, accuracy: 6e-5, "bone \(b)")
        }
    }
}
