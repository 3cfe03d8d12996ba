import XCTest
import Video

final class FFmpegLogLevelTests: XCTestCase {
    func testApplyAndReadBack() {
        let before = FFmpegLogLevel.current
        defer { before.apply() }
        for level in [FFmpegLogLevel.quiet, .error, .warning, .debug] {
            level.apply()
            XCTAssertEqual(FFmpegLogLevel.current, level)
        }
    }
}
