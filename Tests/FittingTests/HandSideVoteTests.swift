import Fitting
import HandModel
import XCTest

/// The side vote against the hand model itself, whose side is known: any pose the sampler draws,
/// seen from any direction, with MediaPipe-like noise on the world landmarks.
final class HandSideVoteTests: XCTestCase {
    func testTheThumbCueTellsARightHandFromALeftOneInAnyPoseAndView() {
        var rng = SeededRandom(seed: 7)
        var synth = EvidenceSynthesizer()
        synth.dropout = 0; synth.outliers = 0
        let camera = PinholeCamera(fx: 600, fy: 600, cx: 320, cy: 240)
        for side in HandSide.allCases {
            let model = HandModel.builtIn(side: side)
            let sampler = PoseSampler(model: model)
            var correct = 0, total = 0, predicted = 0.0
            for _ in 0..<500 {
                let hand = synth.synthesize(model: model, pose: sampler.sample(&rng), shape: PoseSampler.sampleShape(&rng),
                                            camera: camera, width: 640, height: 480, rng: &rng)
                let vote = hand.evidence.world.withUnsafeBufferPointer {
                    HandSideVote.frameVote(world: $0, networkRightProbability: nil)
                }
                total += 1
                if (vote > 0) == (side == .right) { correct += 1 }
                predicted += 1 / (1 + exp(-abs(vote)))
            }
            let accuracy = Double(correct) / Double(total)
            XCTAssertGreaterThan(accuracy, 0.97, "\(side): share of single frames whose thumb cue names the side")
            // The vote's own probability must not claim more than it achieves.
            XCTAssertLessThanOrEqual(predicted / Double(total), accuracy + 0.02, "\(side): the vote's stated confidence")
        }
    }

    func testOneContraryFrameNeverTurnsATrackButSustainedEvidenceDoes() {
        var vote = HandSideVote()
        for _ in 0..<5 { vote.add(2) }
        XCTAssertFalse(vote.settle())
        XCTAssertEqual(vote.side, .right)
        // The strongest single frame a vote can be: shape and network both fully contrary.
        let strongest = HandSideVote.frameVote(world: nil, networkRightProbability: 0) - 2
        vote.add(strongest)
        XCTAssertFalse(vote.settle(), "one frame's word")
        XCTAssertEqual(vote.side, .right)
        var frames = 1
        while !vote.settle() {
            vote.add(strongest)
            frames += 1
            XCTAssertLessThan(frames, 20)
        }
        XCTAssertEqual(vote.side, .left)
        XCTAssertGreaterThanOrEqual(frames, 3, "a side changes only after several frames")
        XCTAssertGreaterThan(vote.probability, 0.99)
    }

    func testTheCostComparisonVotesForTheBetterFittingSideWithinItsBound() {
        XCTAssertGreaterThan(HandSideVote.fitVote(rightCost: 1, leftCost: 2), 0)
        XCTAssertLessThan(HandSideVote.fitVote(rightCost: 3, leftCost: 2), 0)
        XCTAssertEqual(HandSideVote.fitVote(rightCost: 1, leftCost: 1e9), 2.75, accuracy: 1e-12)
        XCTAssertEqual(HandSideVote.fitVote(rightCost: .infinity, leftCost: 1), -2.75)
        XCTAssertEqual(HandSideVote.fitVote(rightCost: .nan, leftCost: .nan), 0)
    }

    func testADegeneratePalmVotesNothing() {
        let flat = [SIMD3<Double>](repeating: SIMD3(0.1, 0.2, 0.3), count: 21)
        XCTAssertNil(flat.withUnsafeBufferPointer { HandSideVote.thumbSide($0) })
        XCTAssertEqual(flat.withUnsafeBufferPointer { HandSideVote.frameVote(world: $0, networkRightProbability: nil) }, 0)
    }
}
