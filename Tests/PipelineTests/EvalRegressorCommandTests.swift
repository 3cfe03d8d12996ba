import Fitting
import Foundation
import HandModel
import XCTest

/// `handmesh eval regressor`'s second figure, the regressor's pose on the track's hand: records whose
/// `joints3d` are built here from the bundled regressor's own pose, with a shape and bone factors the
/// records carry, must read zero there, and the plain figure (the regressor's own shape, no factors)
/// must not.
final class EvalRegressorCommandTests: XCTestCase {
    func testThePoseOnTheTracksHandIsScoredWithTheRecordsShapeAndBoneFactors() throws {
        let clip = try Fixtures.realClip()
        let directory = try TemporaryDirectory()
        let recorded = directory.file("cam0.ndjson"), built = directory.file("built.ndjson")
        let run = try runTool(try Fixtures.handmeshBinary(), ["run", "--input", clip, "--output", "ndjson:\(recorded)"], timeout: 300)
        XCTAssertEqual(run.status, 0, run.stderr)

        let evidence = try EvidenceRecords(contentsOf: URL(fileURLWithPath: recorded))
        let byIndex = Dictionary(evidence.frames.compactMap { $0 }.map { ($0.index, $0.evidence) }) { a, _ in a }
        let regressor = try HandRegressor.bundled()
        var workspace = HandRegressor.Workspace(regressor)
        let model = HandModel.builtIn(side: .right)
        // Any shape and factors will do, so long as they are not the regressor's.
        let shape = (0..<HandParameters.shapeCount).map { 0.3 * Double($0 % 3) - 0.3 }
        let factors = (0..<BoneLengths.count).map { 0.7 + 0.03 * Double($0) }
        var lines: [String] = [], scored = 0
        for line in try String(contentsOfFile: recorded, encoding: .utf8).split(separator: "\n") {
            var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if object["type"] as? String == "frame", let index = object["index"] as? Int,
               var hands = object["hands"] as? [[String: Any]], !hands.isEmpty, let e = byIndex[index] {
                XCTAssertFalse(e.isLeft, "view 0 holds a right hand")
                var p = HandParameters()
                regressor.predict(e, into: &p, workspace: &workspace)
                p.shape = shape
                hands[0]["joints3d"] = model.keypoints(p, boneFactors: factors).map { [$0.x, $0.y, $0.z] }
                hands[0]["shape"] = shape
                hands[0]["bone_factors"] = factors
                object["hands"] = hands
                scored += 1
            }
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
        }
        XCTAssertGreaterThan(scored, 300)
        try (lines.joined(separator: "\n") + "\n").write(toFile: built, atomically: true, encoding: .utf8)

        let eval = try runTool(try Fixtures.handmeshBinary(), ["eval", "regressor", built], timeout: 120)
        XCTAssertEqual(eval.status, 0, eval.stderr)
        func figure(after label: String) throws -> Double {
            let line = try XCTUnwrap(eval.stdout.split(separator: "\n").first { $0.contains(label) }, eval.stdout)
            let tail = line[line.range(of: label)!.upperBound...]
            return try XCTUnwrap(Double(tail.split(separator: " ").first ?? ""), String(line))
        }
        XCTAssertLessThan(try figure(after: "its pose on the track's hand (shape, bone factors) "), 0.01)
        XCTAssertGreaterThan(try figure(after: "regressor alone against the fits "), 1)
    }
}
