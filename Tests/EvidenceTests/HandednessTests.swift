import Evidence
import XCTest

final class HandednessTests: XCTestCase {
    func check(_ p: Float, mirrored: Bool, _ hand: Handedness, _ score: Float, line: UInt = #line) {
        let result = Handedness.classify(leftProbability: p, mirrored: mirrored)
        XCTAssertEqual(result.hand, hand, line: line)
        XCTAssertEqual(result.score, score, accuracy: 1e-6, line: line)
    }

    func testSelfieAssumptionAndItsReverse() {
        check(0.9, mirrored: true, .left, 0.9)
        check(0.2, mirrored: true, .right, 0.8)
        check(0.9, mirrored: false, .right, 0.9)
        check(0.2, mirrored: false, .left, 0.8)
    }
}
