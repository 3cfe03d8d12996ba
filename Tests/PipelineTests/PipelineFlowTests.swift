import Crop
import Evidence
import Foundation
import Logging
import Pipeline
import Records
import Sinks
import Video
import XCTest

/// A stage as an estimator would write one: it keeps per-track state from frame to frame and
/// fills `hands`.
private struct FakeEvidenceStage: FrameStage {
    let name = "evidence"
    let models = [ModelDescription(name: "fake_landmarks", version: "1")]
    var writes: Set<FramePart> { [.evidence] }
    var previousIndex = -1
    var track = 0

    mutating func process(_ work: inout FrameWork) {
        // Frames arrive in order, one after another: the state carried over proves it.
        precondition(work.frame.index == previousIndex + 1, "frame \(work.frame.index) after \(previousIndex)")
        previousIndex = work.frame.index
        if work.frame.index % 10 == 0 { track += 1 }
        var landmarks = [21 of SIMD2<Float>](repeating: .zero)
        for j in 0..<21 { landmarks[j] = SIMD2(Float(2 * j + work.frame.index), Float(2 * j + 1 + work.frame.index)) }
        let roi = HandROI(centerX: 100, centerY: 100, width: 50, height: 50, rotation: 0)
        work.hands.append(PipelineHand(evidence: HandEvidence(
            track: track, handedness: work.context.mirrored ? .left : .right, handednessScore: 0.5, presence: 0.9,
            landmarks: landmarks, cropLandmarks: [21 of SIMD3<Float>](repeating: .zero),
            worldLandmarks: [21 of SIMD3<Float>](repeating: .zero), roi: roi, fromDetection: true)))
    }
}

private struct FakeFitStage: FrameStage {
    let name = "fit"
    var reads: Set<FramePart> { [.evidence] }
    var writes: Set<FramePart> { [.fit] }
    var lastTrack: Int?

    mutating func process(_ work: inout FrameWork) {
        for i in work.hands.indices {
            work.hands[i].fit = FittedHand(handedness: .right, handednessScore: 0.9, summary: FitSummary(
                iterations: 3, reprojectionPixels: 0.5, milliseconds: 0.1, warm: lastTrack == work.hands[i].track))
            lastTrack = work.hands[i].track
        }
    }
}

/// A smoother's shape of stage: each frame is finished only after `lookahead` later frames (or the
/// end), and says in its fit how many it saw.
private struct LookaheadStage: FrameStage {
    let name = "fit"
    let lookahead = 4
    var reads: Set<FramePart> { [.evidence] }
    var writes: Set<FramePart> { [.fit] }
    var processed = -1
    var completed = -1

    mutating func process(_ work: inout FrameWork) {
        processed = work.frame.index
    }

    mutating func complete(_ work: inout FrameWork) {
        precondition(work.frame.index == completed + 1, "frame \(work.frame.index) completed after \(completed)")
        completed = work.frame.index
        work.hands[0].fit = FittedHand(handedness: .right, handednessScore: 0.9, summary: FitSummary(
            iterations: processed - work.frame.index, reprojectionPixels: 0, milliseconds: 0, warm: true))
    }
}

/// Sleeps per frame, to make a live source outrun the pipeline.
private struct SlowStage: FrameStage {
    let name = "slow"
    mutating func process(_ work: inout FrameWork) {
        usleep(30_000)
    }
}

final class PipelineFlowTests: XCTestCase {
    private let logger = Logger(label: "test")

    /// Stages declare what they read and write; a stage whose input no earlier stage fills is named.
    func testStagesAreCheckedForWhatTheyReadBeforeAnyFrameRuns() {
        XCTAssertNil(FramePart.wiringProblem([FakeEvidenceStage(), FakeFitStage()]))
        XCTAssertEqual(FramePart.wiringProblem([FakeFitStage(), FakeEvidenceStage()]),
                       "stage fit reads evidence, which no stage before it writes (stages: fit, evidence)")
        XCTAssertNil(FramePart.wiringProblem([SlowStage()]), "reading only the frame needs nothing before")
    }

    private func readRecords(_ path: String) throws -> [[String: Any]] {
        parseRecords(try String(contentsOfFile: path, encoding: .utf8))
    }

    func testStagesSeeEveryFrameInOrderAndTheirHandsReachTheRecords() throws {
        let directory = try TemporaryDirectory()
        let clip = directory.file("clip.mp4")
        try Fixtures.makeClip(at: clip, seconds: 2)
        let output = directory.file("out.ndjson")
        let source = try VideoSource(try InputSpec(parsing: clip))
        let sinks = SinkSet([try FileSink(path: output, logger: logger)])
        let pipeline = Pipeline(source: source, stages: [FakeEvidenceStage(), FakeFitStage()], sinks: sinks,
                                context: StreamContext(stream: "clip", mirrored: false), logger: logger)
        pipeline.start()
        let result = try XCTUnwrap(pipeline.wait(timeout: 60))
        sinks.close()

        XCTAssertEqual(result.reason, .eof)
        XCTAssertEqual([result.decoded, result.processed, result.dropped, result.corrupt, result.losses, result.reconnects],
                       [60, 60, 0, 0, 0, 0])
        XCTAssertNil(result.detail)
        let all = try readRecords(output)
        XCTAssertEqual(all.first?["type"] as? String, "header")
        XCTAssertEqual(all.last?["type"] as? String, "end")
        XCTAssertEqual(all.first?["stages"] as? [String], ["decode", "evidence", "fit"])
        XCTAssertEqual((all.first?["models"] as? [[String: String]])?.first?["name"], "fake_landmarks")
        let frames = records(all, ofType: "frame")
        XCTAssertEqual(frames.map { $0["index"] as? Int }, (0..<60).map { $0 })
        let hand = try XCTUnwrap((frames[11]["hands"] as? [[String: Any]])?.first)
        XCTAssertEqual(hand["handedness"] as? String, "right")
        XCTAssertEqual(hand["track"] as? Int, 2)
        XCTAssertEqual((hand["landmarks"] as? [[Double]])?.first, [11, 12])
        XCTAssertEqual((hand["fit"] as? [String: Any])?["warm"] as? Bool, true)
        XCTAssertEqual((frames[10]["hands"] as? [[String: Any]])?.first.flatMap { ($0["fit"] as? [String: Any])?["warm"] as? Bool },
                       false, "a new track starts cold")
        XCTAssertEqual(Set((frames[5]["stage_ms"] as? [String: Double])?.keys ?? [:].keys), ["decode", "evidence", "fit"])
        XCTAssertEqual(try schemaErrors(ofLinesIn: output), [])
    }

    /// A stage with a lookahead holds each frame until it has seen that many later ones; frames still
    /// leave in order, every one of them, and the last ones at the end of the stream.
    func testAStageWithALookaheadFinishesEachFrameAfterTheFramesBehindIt() throws {
        let directory = try TemporaryDirectory()
        let clip = directory.file("clip.mp4")
        try Fixtures.makeClip(at: clip, seconds: 1)
        let output = directory.file("out.ndjson")
        let source = try VideoSource(try InputSpec(parsing: clip))
        let sinks = SinkSet([try FileSink(path: output, logger: logger)])
        let pipeline = Pipeline(source: source, stages: [FakeEvidenceStage(), LookaheadStage()], sinks: sinks,
                                context: StreamContext(stream: "clip"), logger: logger)
        pipeline.start()
        let result = try XCTUnwrap(pipeline.wait(timeout: 60))
        sinks.close()
        XCTAssertEqual([result.decoded, result.processed], [30, 30])
        let all = try readRecords(output)
        XCTAssertEqual(all.first?["type"] as? String, "header")
        XCTAssertEqual(all.last?["type"] as? String, "end")
        let frames = records(all, ofType: "frame")
        XCTAssertEqual(frames.map { $0["index"] as? Int }, (0..<30).map { $0 })
        let seen = frames.map { (($0["hands"] as? [[String: Any]])?.first?["fit"] as? [String: Any])?["iterations"] as? Int }
        XCTAssertEqual(seen, (0..<30).map { min(4, 29 - $0) })
    }

    func testALiveSourceDropsAtTheEntranceAndAccountsForEveryFrame() throws {
        let directory = try TemporaryDirectory()
        let output = directory.file("out.ndjson")
        var options = SourceOptions()
        options.realtime = true
        // 100 frames a second against a stage that takes 30 ms: most frames must be dropped.
        let source = try VideoSource(try InputSpec(parsing: "lavfi:testsrc2=size=160x120:rate=100"), options: options)
        XCTAssertTrue(source.isLive)
        let sinks = SinkSet([try FileSink(path: output, logger: logger)])
        let pipeline = Pipeline(source: source, stages: [SlowStage()], sinks: sinks, context: StreamContext(stream: "live"),
                                logger: logger)
        let started = Date()
        pipeline.start()
        XCTAssertTrue(eventually(timeout: 10) { pipeline.status.snapshot.processed >= 20 })
        pipeline.stop()
        let result = try XCTUnwrap(pipeline.wait(timeout: 10))
        sinks.close()

        XCTAssertEqual(result.reason, .stopped)
        XCTAssertGreaterThan(result.dropped, 0)
        XCTAssertEqual(result.decoded, result.processed + result.dropped)
        let all = try readRecords(output)
        let frames = records(all, ofType: "frame")
        let drops = records(all, ofType: "dropped")
        XCTAssertEqual(frames.count, result.processed)
        XCTAssertEqual(drops.reduce(0) { $0 + ($1["count"] as? Int ?? 0) }, result.dropped)
        // Every index is either in a frame record or inside exactly one dropped run.
        var seen = Set(frames.compactMap { $0["index"] as? Int })
        for drop in drops {
            let first = drop["first_index"] as! Int, last = drop["last_index"] as! Int
            XCTAssertEqual(last - first + 1, drop["count"] as? Int)
            for index in first...last {
                XCTAssertTrue(seen.insert(index).inserted, "index \(index) accounted for twice")
            }
        }
        XCTAssertEqual(seen, Set(0..<result.decoded))
        // Latency stays bounded: with two frames in flight, none waits behind a queue of others.
        let end = try XCTUnwrap(all.last)
        XCTAssertEqual(end["decoded"] as? Int, result.decoded)
        XCTAssertLessThan(Date().timeIntervalSince(started), 20)
        XCTAssertEqual(try schemaErrors(ofLinesIn: output), [])
    }

    func testStopDrainsAFileSourceWithoutLosingADecodedFrame() throws {
        let directory = try TemporaryDirectory()
        let output = directory.file("out.ndjson")
        // An endless lavfi graph read as fast as possible, as a file would be (backpressure).
        let source = try VideoSource(try InputSpec(parsing: "lavfi:testsrc2=size=160x120:rate=30"))
        XCTAssertFalse(source.isLive)
        let sinks = SinkSet([try FileSink(path: output, logger: logger)])
        let pipeline = Pipeline(source: source, stages: [SlowStage()], sinks: sinks, context: StreamContext(stream: "s"),
                                logger: logger)
        pipeline.start()
        XCTAssertTrue(eventually(timeout: 10) { pipeline.status.snapshot.processed >= 5 })
        pipeline.stop()
        let result = try XCTUnwrap(pipeline.wait(timeout: 10))
        sinks.close()
        XCTAssertEqual(result.reason, .stopped)
        XCTAssertEqual(result.dropped, 0)
        XCTAssertEqual(result.processed, result.decoded)
        XCTAssertEqual(records(try readRecords(output), ofType: "frame").count, result.decoded)
    }
}
