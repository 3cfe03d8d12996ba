import Foundation
import XCTest
import Video

final class CancellationTests: XCTestCase {
    func testCancellingAnOpenInProgress() throws {
        // A server that accepts the connection but never speaks keeps the open waiting on stream probing.
        let listener = try VideoTestSupport.SilentListener()
        defer { listener.close() }
        var options = SourceOptions()
        options.openTimeout = 30
        let canceller = SourceCanceller()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.4) { canceller.cancel() }
        let start = Date()
        XCTAssertThrowsError(try VideoSource(InputSpec(parsing: "tcp://127.0.0.1:\(listener.port)"), options: options, canceller: canceller)) { error in
            XCTAssertEqual(String(describing: error), "tcp://127.0.0.1:\(listener.port): cannot open: cancelled")
        }
        XCTAssertTrue(canceller.isCancelled)
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.5)
    }

    func testCancelBeforeTheFirstReadEndsAtOnce() throws {
        let canceller = SourceCanceller()
        let source = try VideoSource(InputSpec(parsing: "lavfi:testsrc=size=32x32:rate=30"), options: SourceOptions(), canceller: canceller)
        canceller.cancel()
        XCTAssertTrue(source.next().isEnd)
        XCTAssertEqual(source.framesDelivered, 0)
    }

    func testSourceCanBeMovedToAnotherQueue() throws {
        // The pipeline reads on its own decode queue and cancels from a signal handler's.
        let source = try VideoSource(InputSpec(parsing: "lavfi:testsrc=size=32x32:rate=30:duration=1"), options: SourceOptions())
        let done = DispatchSemaphore(value: 0)
        let counter = FrameCounter()
        DispatchQueue(label: "decode").async {
            counter.count = VideoTestSupport.drain(source, keepFrames: false).ended ? source.framesDelivered : -1
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(counter.count, 30)
    }
}

private final class FrameCounter: @unchecked Sendable {
    var count = 0
}
