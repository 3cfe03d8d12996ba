import Crop
import Evidence
import Video
import XCTest

/// The tracker's frame-to-frame behaviour on the real clip.
final class TrackingTests: XCTestCase {
    /// With one hand allowed, the detector runs only while no hand is tracked; track numbers change
    /// only when the hand is lost and detected again.
    func testDetectorRunsOnlyWhileUnderMaxHands() throws {
        let tracker = try Fixtures.tracker(.init(maxHands: 1))
        var hands: [HandEvidence] = []
        var previousHadHand = false, previousTrack: Int?
        var detectorFrames = 0, handFrames = 0, segments = 0
        var tracks = Set<Int>()
        try Fixtures.forEachFrame { frame in
            tracker.process(frame, into: &hands)
            XCTAssertEqual(tracker.lastDetectorRan, !previousHadHand, "frame \(frame.index)")
            XCTAssertLessThanOrEqual(hands.count, 1)
            if tracker.lastDetectorRan { detectorFrames += 1 }
            if let hand = hands.first {
                handFrames += 1
                tracks.insert(hand.track)
                if previousHadHand {
                    XCTAssertEqual(hand.track, previousTrack, "frame \(frame.index): a tracked hand keeps its number")
                    XCTAssertFalse(hand.fromDetection)
                } else {
                    segments += 1
                    XCTAssertTrue(hand.fromDetection)
                }
                XCTAssertGreaterThan(hand.presence, 0.5)
            }
            previousHadHand = !hands.isEmpty
            previousTrack = hands.first?.track
        }
        print("maxHands 1: detector on \(detectorFrames) frames, a hand in \(handFrames), \(segments) tracked segments, tracks \(tracks.sorted())")
        XCTAssertGreaterThan(handFrames, 300)
        XCTAssertLessThan(detectorFrames, 40, "tracking, not detecting, once the hand is found")
        XCTAssertEqual(tracks.count, segments, "a new number for each re-detection, none otherwise")
    }

    /// With two hands allowed, one hand in view and MediaPipe's schedule (detection on every frame),
    /// the detector keeps finding the tracked hand; those detections merge into the track instead
    /// of adding a hand.
    func testDetectionsOfATrackedHandMerge() throws {
        let tracker = try Fixtures.tracker(.init(maxHands: 2, detectionInterval: 1))
        var hands: [HandEvidence] = []
        var tracks = Set<Int>(), detectorFrames = 0, frames = 0
        try Fixtures.forEachFrame { frame in
            guard frame.index < 200 else { return }
            tracker.process(frame, into: &hands)
            frames += 1
            if tracker.lastDetectorRan { detectorFrames += 1 }
            XCTAssertLessThanOrEqual(hands.count, 1, "frame \(frame.index): one hand in view, one hand out")
            for hand in hands { tracks.insert(hand.track) }
        }
        XCTAssertEqual(detectorFrames, frames)
        XCTAssertEqual(tracks.count, 1, "the hand keeps one number: \(tracks.sorted())")
    }

    /// A hand that disappears is dropped when its presence falls, then found again by the detector
    /// under a new number.
    func testLostHandIsDroppedAndRedetected() throws {
        let tracker = try Fixtures.tracker(.init(maxHands: 1))
        var hands: [HandEvidence] = []
        var firstTrack: Int?
        var blank: Frame?
        try Fixtures.forEachFrame { frame in
            guard (50..<70).contains(frame.index) else { return }
            if blank == nil {
                // A black frame of the same size: the hand is gone.
                blank = Frame(index: -1, pts: 0, captureTime: 0, pixels: PixelBuffer(width: frame.width, height: frame.height))
            }
            if frame.index == 60 {
                tracker.process(blank!, into: &hands)
                XCTAssertFalse(tracker.lastDetectorRan, "the tracked ROI is tried first")
                XCTAssertTrue(hands.isEmpty, "no hand in a black frame")
                tracker.process(blank!, into: &hands)
                XCTAssertTrue(tracker.lastDetectorRan, "the detector takes over once the track is dropped")
                XCTAssertTrue(hands.isEmpty)
            }
            tracker.process(frame, into: &hands)
            XCTAssertEqual(hands.count, 1, "frame \(frame.index)")
            guard let hand = hands.first else { return }
            if frame.index < 60 {
                if firstTrack == nil { firstTrack = hand.track }
                XCTAssertEqual(hand.track, firstTrack)
            } else if frame.index == 60 {
                XCTAssertTrue(hand.fromDetection)
                XCTAssertNotEqual(hand.track, firstTrack, "a re-detected hand is a new track")
            }
        }
        XCTAssertNotNil(firstTrack)
    }
}
