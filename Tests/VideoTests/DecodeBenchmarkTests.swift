import XCTest
import Video

final class DecodeBenchmarkTests: XCTestCase {
    func testMeasuresEveryRun() throws {
        let result = try DecodeBenchmark.measure(InputSpec(parsing: "lavfi:testsrc=size=64x48:rate=30:duration=1"), repeats: 3)
        XCTAssertEqual(result.runs.count, 3)
        XCTAssertTrue(result.runs.allSatisfy { $0.frames == 30 && $0.seconds > 0 })
        XCTAssertGreaterThan(result.medianFramesPerSecond, 0)
        XCTAssertTrue(result.description.contains("64x48"), result.description)
        let capped = try DecodeBenchmark.measure(InputSpec(parsing: "lavfi:testsrc=size=64x48:rate=30"), repeats: 1, maxFrames: 12)
        XCTAssertEqual(capped.runs.map(\.frames), [12])
    }
}
