import Foundation
import XCTest

/// CI's short training with `--from-fits`: `handmesh run` on the stereo clip's view 0, then
/// `handmesh train regressor --quick` on its fits (the clip's first two thirds), as the README's
/// command that reproduces the committed weights does with all four runs.
final class TrainFromFitsCommandTests: XCTestCase {
    func testQuickTrainingFromARunsFits() throws {
        let clip = try Fixtures.realClip()
        let directory = try TemporaryDirectory()
        let fits = directory.file("cam0.ndjson"), weights = directory.file("regressor.safetensors")
        let run = try runTool(try Fixtures.handmeshBinary(), ["run", "--config", "\(Fixtures.repositoryRoot)/Config/examples/desk-view0.toml",
                                                              "--input", clip, "--output", "ndjson:\(fits)"], timeout: 300)
        XCTAssertEqual(run.status, 0, run.stderr)
        let train = try runTool(try Fixtures.handmeshBinary(), ["train", "regressor", "--quick", "--from-fits", fits,
                                                                "--before-frame", "252", "--output", weights], timeout: 300)
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stdout.contains("fits: kept "), train.stdout)
        XCTAssertTrue(train.stdout.contains("mixing 15% of samples around the fits"), train.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: weights))

        // A malformed fits file: one line naming it and the line.
        let bad = directory.file("bad.ndjson")
        try "{\"type\":\"header\"}\n{\"type\":\"frame\",\"index\":0,\"hands\":[{\"track\":1,\"fit\":{}}]}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try runTool(try Fixtures.handmeshBinary(), ["train", "regressor", "--quick", "--from-fits", bad,
                                                                  "--output", weights], timeout: 60)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("\(bad): line 2: fit needs reprojection_px and warm"), refused.stderr)
    }
}
