import Evidence
import Video
import XCTest

/// A second hand entering and leaving the view at max_hands 2, where the detector runs on one
/// frame in `detectionInterval` while one hand is tracked. The clip is synthetic: each real frame
/// beside a black half, then beside its own mirror image (a left hand) from `entry` to `exit`.
final class HandEntryTests: XCTestCase {
    static let entry = 20, exit = 40, frames = 50

    /// The entering hand is found within `detectionInterval` (2) frames, whatever the detector's
    /// phase, and at most one frame after the tracker with MediaPipe's schedule (interval 1) finds it.
    func testEnteringHandIsFoundWithinTwoFrames() throws {
        let reference = try firstFrameWithTwoHands(entry: Self.entry, interval: 1)
        XCTAssertEqual(reference.found, Self.entry, "MediaPipe's schedule finds the hand where it enters")
        // In line, and beside the landmark network as video runs it by default (`EvidenceStage`).
        for entry in [Self.entry, Self.entry + 1] {
            for beside in [false, true] {
                let ours = try firstFrameWithTwoHands(entry: entry, interval: 2, concurrent: beside)
                print("second hand enters at frame \(entry): found at frame \(ours.found.map(String.init) ?? "never"), detector on \(ours.detectorFrames) of \(Self.frames) frames\(beside ? ", search beside" : "")")
                let found = try XCTUnwrap(ours.found, "entry at \(entry): the second hand was never found")
                XCTAssertLessThan(found - entry, 2, "entry at \(entry): found within 2 frames")
                XCTAssertLessThan(ours.detectorFrames, reference.detectorFrames, "the search runs less often than every frame")
                XCTAssertEqual(ours.lastTwoHandFrame, Self.exit - 1, "the hand's track ends when it leaves")
            }
        }
    }

    /// The palm search on its own thread, beside the tracked hand's landmarks, gives the very hands
    /// (tracks, order, landmarks) of the search run before them; and so do two network threads,
    /// which the networks use only on frames without the search beside them.
    func testConcurrentSearchMatchesSequential() throws {
        for interval in [1, 2] {
            try compareConcurrentSearch(interval: interval)
        }
    }

    func compareConcurrentSearch(interval: Int) throws {
        let concurrent = try Fixtures.tracker(.init(maxHands: 2, detectionInterval: interval, concurrentDetection: true))
        let sequential = try Fixtures.tracker(.init(maxHands: 2, detectionInterval: interval, concurrentDetection: false))
        let twoThreads = try Fixtures.tracker(.init(maxHands: 2, threads: 2, detectionInterval: interval, concurrentDetection: true))
        var a: [HandEvidence] = [], b: [HandEvidence] = [], c: [HandEvidence] = []
        var compared = 0
        try Fixtures.forEachFrame { frame in
            guard frame.index < Self.frames else { return }
            let composed = Self.compose(frame, withMirror: (Self.entry..<Self.exit).contains(frame.index))
            concurrent.process(composed, into: &a)
            sequential.process(composed, into: &b)
            twoThreads.process(composed, into: &c)
            XCTAssertEqual(a.map(\.track), b.map(\.track), "frame \(frame.index)")
            XCTAssertEqual(c.map(\.track), b.map(\.track), "frame \(frame.index), two threads")
            for (x, y) in zip(a, b) {
                XCTAssertEqual(x.roi, y.roi, "frame \(frame.index)")
                for i in 0..<21 { XCTAssertEqual(x.landmarks[i], y.landmarks[i], "frame \(frame.index)") }
                compared += 1
            }
            for (x, y) in zip(c, b) {
                XCTAssertEqual(x.roi, y.roi, "frame \(frame.index), two threads")
                for i in 0..<21 { XCTAssertEqual(x.landmarks[i], y.landmarks[i], "frame \(frame.index), two threads") }
            }
        }
        XCTAssertGreaterThan(compared, Self.frames)
    }

    struct Run {
        var found: Int?
        var lastTwoHandFrame = -1
        var detectorFrames = 0
    }

    func firstFrameWithTwoHands(entry: Int, interval: Int, concurrent: Bool = false) throws -> Run {
        let tracker = try Fixtures.tracker(.init(maxHands: 2, detectionInterval: interval, concurrentDetection: concurrent))
        var hands: [HandEvidence] = []
        var run = Run()
        try Fixtures.forEachFrame { frame in
            guard frame.index < Self.frames else { return }
            let composed = Self.compose(frame, withMirror: (entry..<Self.exit).contains(frame.index))
            tracker.process(composed, into: &hands)
            if tracker.lastDetectorRan { run.detectorFrames += 1 }
            if hands.count == 2 {
                if run.found == nil { run.found = frame.index }
                run.lastTwoHandFrame = frame.index
            }
            XCTAssertLessThanOrEqual(hands.count, 2)
        }
        return run
    }

    /// The frame on the left of a frame twice as wide; on the right, black or its mirror image.
    static func compose(_ frame: Frame, withMirror: Bool) -> Frame {
        let width = frame.width, height = frame.height
        let out = PixelBuffer(width: 2 * width, height: height)
        frame.pixels.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                for y in 0..<height {
                    let from = src.baseAddress!.advanced(by: y * frame.pixels.rowBytes).assumingMemoryBound(to: UInt8.self)
                    let to = dst.baseAddress!.advanced(by: y * out.rowBytes).assumingMemoryBound(to: UInt8.self)
                    to.update(from: from, count: 3 * width)
                    for x in 0..<width {
                        for c in 0..<3 { to[3 * (2 * width - 1 - x) + c] = withMirror ? from[3 * x + c] : 0 }
                    }
                }
            }
        }
        return Frame(index: frame.index, pts: frame.pts, captureTime: frame.captureTime, pixels: out)
    }
}
