import Foundation
import XCTest
import Video

final class LavfiSourceTests: XCTestCase {
    func testFiniteGraphGivesItsFrames() throws {
        let spec = try InputSpec(parsing: "lavfi:testsrc=size=160x120:rate=25:duration=1")
        XCTAssertEqual(spec.kind, .lavfi)
        XCTAssertFalse(spec.isLive)
        let source = try VideoSource(spec, options: SourceOptions())
        XCTAssertFalse(source.isLive)
        XCTAssertEqual(source.frameRate ?? 0, 25, accuracy: 0.01)
        XCTAssertTrue(source.description.contains("lavfi"), source.description)
        let result = VideoTestSupport.drain(source)
        XCTAssertTrue(result.ended)
        XCTAssertEqual(result.frames.count, 25)
        XCTAssertEqual(result.frames.map(\.index), Array(0..<25))
        XCTAssertEqual(result.frames[5].pts, 0.2, accuracy: 1e-6)
        XCTAssertTrue(result.frames.allSatisfy { $0.width == 160 && $0.height == 120 })
        XCTAssertNotEqual(VideoTestSupport.bytes(of: result.frames[0]), VideoTestSupport.bytes(of: result.frames[12]))
    }

    func testColourGraphIsExact() throws {
        // lavfi delivers RGB without a lossy codec in between, so the colour survives to within rounding.
        let source = try VideoSource(InputSpec(parsing: "lavfi:color=c=red:size=64x32:rate=10:duration=0.3"), options: SourceOptions())
        let result = VideoTestSupport.drain(source)
        XCTAssertEqual(result.frames.count, 3)
        for frame in result.frames {
            for (x, y) in [(0, 0), (63, 31), (32, 16)] {
                let p = frame.pixels.pixel(x: x, y: y)
                XCTAssertGreaterThan(p.r, 245); XCTAssertLessThan(p.g, 10); XCTAssertLessThan(p.b, 10)
            }
        }
    }

    func testEndlessGraphStopsOnCancel() throws {
        let source = try VideoSource(InputSpec(parsing: "lavfi:testsrc=size=64x48:rate=30"), options: SourceOptions())
        let first = VideoTestSupport.drain(source, limit: 50, keepFrames: false)
        XCTAssertFalse(first.ended)
        source.cancel()
        XCTAssertTrue(source.next().isEnd)
        XCTAssertTrue(source.next().isEnd)
    }

    func testRealtimeGraphIsPacedAndCancellableFromAnotherThread() throws {
        var options = SourceOptions()
        options.realtime = true
        let source = try VideoSource(InputSpec(parsing: "lavfi:testsrc=size=64x48:rate=10"), options: options)
        XCTAssertTrue(source.isLive)
        let canceller = source.makeCanceller()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.55) { canceller.cancel() }
        let start = Date()
        let result = VideoTestSupport.drain(source)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertTrue(result.ended)
        // At 10 fps, about 6 frames fit in 0.55 s; unpaced, thousands would.
        XCTAssertGreaterThanOrEqual(result.frames.count, 4)
        XCTAssertLessThanOrEqual(result.frames.count, 8)
        XCTAssertLessThan(elapsed, 1.5)
    }

    func testBadGraphIsOneLineNamingTheInput() throws {
        XCTAssertThrowsError(try VideoSource(InputSpec(parsing: "lavfi:nosuchfilter=1"), options: SourceOptions())) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.hasPrefix("lavfi:nosuchfilter=1: "), text)
            XCTAssertFalse(text.contains("\n"))
        }
    }
}
