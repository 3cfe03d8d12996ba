import Foundation
import HandModel
import XCTest

/// Model names as a configuration gives them.
final class ModelSpecTests: XCTestCase {
    func testBuiltInAndManoSpecs() throws {
        XCTAssertTrue(try HandModel.named("builtin", side: .left) === HandModel.builtIn(side: .left))
        let dir = PythonOracle.temporaryFile("models")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try HandModel.builtIn(side: .left).tensors.safetensors.write(to: dir.appendingPathComponent("mano_left.safetensors"))
        let fromDirectory = try HandModel.named("mano:\(dir.path)", side: .left)
        XCTAssertEqual(fromDirectory.tensors, HandModel.builtIn(side: .left).tensors)
        let fromPattern = try HandModel.named("mano:\(dir.path)/mano_{side}.safetensors", side: .left)
        XCTAssertEqual(fromPattern.side, .left)
        XCTAssertThrowsError(try HandModel.named("mano:\(dir.path)", side: .right)) { error in
            XCTAssertTrue("\(error)".contains("mano_right.safetensors: cannot read the file"), "\(error)")
        }
        XCTAssertThrowsError(try HandModel.named("smpl:x", side: .right)) { error in
            XCTAssertEqual("\(error)", "model \"smpl:x\": expected \"builtin\" or \"mano:PATH\"")
        }
    }
}
