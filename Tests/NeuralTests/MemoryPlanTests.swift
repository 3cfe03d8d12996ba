import Neural
import XCTest

/// The static memory plan reuses space: the arena is far smaller than all activations side by side,
/// yet (FaithfulnessTests) no tensor is overwritten while still needed.
final class MemoryPlanTests: XCTestCase {
    func testArenaReusesSpace() throws {
        let model = try Fixtures.model(.handLandmarkFull)
        // The two largest live tensors of the 112x112 stage (input and output of its 1x1 conv,
        // 112·112·64 and 112·112·16 floats) bound the arena from below; every activation side by
        // side would need over 30 MB.
        let largestPair = (112 * 112 * 64 + 112 * 112 * 16) * 4
        XCTAssertGreaterThanOrEqual(model.arenaBytes, largestPair)
        XCTAssertLessThan(model.arenaBytes, 3 * largestPair, "arena \(model.arenaBytes) bytes")
        XCTAssertEqual(model.operatorCount, 63, "DEQUANTIZE of weights is done at load")
        XCTAssertEqual(model.operatorLabels.filter { $0 == "CONV_2D 1x1" }.count, 30)
    }
}
