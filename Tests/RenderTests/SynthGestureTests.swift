import XCTest
import HandModel
import Render

/// The gestures a synthetic clip's truth names: each held whole for a while, blends in between,
/// victory and OK only in clips long enough for them (so shorter clips are as they were).
final class SynthGestureTests: XCTestCase {
    private func held(frames: Int, seed: UInt64) -> (held: [String: Int], weights: [Double]) {
        let a = SynthAnimation(model: HandModel.builtIn(side: .right), frameCount: frames, seed: seed)
        var held: [String: Int] = [:]
        var weights: [Double] = []
        for i in 0..<frames {
            let pose = a.pose(at: i)
            weights.append(pose.gestureWeight)
            if pose.gestureWeight == 1 { held[pose.gesture, default: 0] += 1 }
        }
        return (held, weights)
    }

    func testATenSecondClipHoldsEveryGesture() {
        for seed: UInt64 in 1...3 {
            let (held, weights) = held(frames: 300, seed: seed)
            XCTAssertEqual(Set(held.keys), ["open", "relaxed", "fist", "pinch", "point", "thumbs-up", "victory", "ok"], "seed \(seed)")
            // Each key is held for about two fifths of a segment (300 frames, 8 segments).
            for (name, n) in held where name != "open" { XCTAssertGreaterThanOrEqual(n, 12, "seed \(seed) \(name)") }
            XCTAssertTrue(weights.allSatisfy { $0 >= 0.5 && $0 <= 1 })
            XCTAssertTrue(weights.contains { $0 < 0.9 }, "a clip blends between its gestures")
        }
    }

    func testTheDefaultClipLengthKeepsItsGestures() {
        for seed: UInt64 in 1...3 {
            let names = Set(held(frames: 90, seed: seed).held.keys)
            XCTAssertTrue(names.isDisjoint(with: ["victory", "ok"]), "seed \(seed): \(names)")
        }
    }
}
