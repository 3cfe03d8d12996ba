import Foundation
import XCTest
import Video

final class RealClipTests: XCTestCase {
    func testStereoHandClipGives378FramesOf720x720() throws {
        let clip = VideoTestSupport.realClip
        guard FileManager.default.fileExists(atPath: clip.path) else {
            throw MissingTestInput("the shared clip is not at \(clip.path); the suite reads ../shared beside the repository")
        }
        let source = try VideoSource(InputSpec(parsing: clip.path), options: SourceOptions())
        XCTAssertEqual(source.frameRate ?? 0, 30, accuracy: 0.01)
        var count = 0
        var corrupt = 0
        var previousPts = -1.0
        var sizesOK = true
        loop: while true {
            switch source.next() {
            case .frame(let frame):
                XCTAssertEqual(frame.index, count)
                XCTAssertGreaterThan(frame.pts, previousPts)
                previousPts = frame.pts
                sizesOK = sizesOK && frame.width == 720 && frame.height == 720
                count += 1
            case .corrupt(let packets, _): corrupt += packets
            case .end: break loop
            case .lost, .reconnected: XCTFail("a file neither loses nor reconnects")
            }
        }
        XCTAssertEqual(count, 378)
        XCTAssertEqual(corrupt, 0)
        XCTAssertTrue(sizesOK, "every frame is 720x720")
        XCTAssertEqual(previousPts, 377.0 / 30, accuracy: 1e-3)
    }
}
