import Foundation
import XCTest

/// Reliability (issue 19, smaller fixes): `--version`, and `synth --truth` files that the record
/// schema accepts (their header's input kind was once outside it).
final class VersionAndSynthTruthTests: XCTestCase {
    func testVersionNamesTheReleaseAndTheSchema() throws {
        let result = try runTool(try Fixtures.handmeshBinary(), ["--version"], timeout: 30)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("handmesh "), result.stdout)
        XCTAssertTrue(result.stdout.contains("records schema 1.5"), result.stdout)
    }

    func testASynthTruthFileValidatesAgainstTheSchema() throws {
        let directory = try TemporaryDirectory()
        let truth = directory.file("truth.ndjson")
        let result = try runTool(try Fixtures.handmeshBinary(), ["synth", "--out", directory.file("s.mp4"), "--truth", truth,
                                                                "--frames", "3", "--hand", "left"], timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try schemaErrors(ofLinesIn: truth), [])
    }
}
