import AllocationCounter
import Foundation
import Neural
import Pipeline
import Records
import Video
import XCTest

/// The hot path allocates nothing: over a warm run of the real clip, the evidence and fitting
/// stages' per-frame work (landmark network, palm search beside it, tracker, regressor, warm
/// refinement, the typed hand they pass on) makes no heap allocation. Counted by the test
/// executable's own allocator entry points (AllocationCounter), for every thread.
final class HotPathAllocationTests: XCTestCase {
    func testWarmFramesAllocateNothingInEvidenceAndFitting() throws {
        let clip = try Fixtures.realClip()
        let candidates = [ModelStore(), ModelStore(directory: URL(fileURLWithPath: "\(Fixtures.repositoryRoot)/.cache/models"))]
        guard let store = candidates.first(where: { s in HandNetwork.allCases.allSatisfy { FileManager.default.fileExists(atPath: s.url(for: $0).path) } }) else {
            throw MissingTestInput("hand models missing; run `handmesh models fetch`")
        }
        // Two threads for the networks (`threads = 2`; the default is one): the operators' hand-off to
        // the worker is on the hot path too.
        var evidence = try EvidenceStage(models: store, maxHands: 2, threads: 2)
        var fitting = try FittingStage()
        let context = StreamContext(stream: "main", maxHands: 2)
        // Decoded first, and the decoder gone: FFmpeg's frame threads allocate as they decode ahead,
        // which is the decoder's business, not the stages'.
        var frames: [Frame] = []
        do {
            let source = try VideoSource(InputSpec(parsing: clip))
            loop: while frames.count < 160 {
                switch source.next() {
                case .frame(let frame): frames.append(frame)
                case .end: break loop
                default: continue
                }
            }
        }
        XCTAssertEqual(frames.count, 160)
        var evidenceAllocations: [Int] = [], fittingAllocations: [Int] = []
        evidenceAllocations.reserveCapacity(frames.count)
        fittingAllocations.reserveCapacity(frames.count)
        for (index, frame) in frames.enumerated() {
            var work = FrameWork(frame: frame, context: context)
            // Warm: past the first track's cold start and its first palm searches.
            let warm = index >= 60
            if warm { allocation_counter_start() }
            evidence.process(&work)
            if warm { evidenceAllocations.append(allocation_counter_stop()); allocation_counter_start() }
            fitting.process(&work)
            if warm { fittingAllocations.append(allocation_counter_stop()) }
            if warm { XCTAssertEqual(work.hands.count, 1, "frame \(index): the clip's one hand, fitted") }
            if warm { XCTAssertNotNil(work.hands.first?.fit, "frame \(index)") }
            if index == frames.count - 1 {
                // The record is built where the frame leaves the pipeline, and that does allocate:
                // the counter sees it (it is not blind).
                allocation_counter_start()
                let record = HandRecord(work.hands[0])
                XCTAssertGreaterThan(allocation_counter_stop(), 0, "building a record allocates its arrays")
                XCTAssertEqual(record.joints3d?.count, 63)
            }
        }
        print("allocations per warm frame, evidence: \(evidenceAllocations)")
        print("allocations per warm frame, fitting: \(fittingAllocations)")
        XCTAssertEqual(evidenceAllocations.count, 100)
        XCTAssertEqual(evidenceAllocations.reduce(0, +), 0, "evidence stage allocations over 100 warm frames")
        XCTAssertEqual(fittingAllocations.reduce(0, +), 0, "fitting stage allocations over 100 warm frames")
    }
}
