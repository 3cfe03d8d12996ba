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

    func testManoPickleIsRefusedWithTheCommandThatConvertsIt() throws {
        let dir = PythonOracle.temporaryFile("pickles")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let pkl = dir.appendingPathComponent("MANO_RIGHT.pkl")
        try PythonOracle.run("make_fake_mano_pickle.py", [pkl.path])
        XCTAssertThrowsError(try HandModel.named("mano:\(pkl.path)", side: .right)) { error in
            let st = dir.appendingPathComponent("MANO_RIGHT.safetensors").path
            XCTAssertEqual("\(error)", "mano:\(pkl.path): is MANO's pickle; convert it once with: python3 scripts/mano_to_safetensors.py "
                           + "\(pkl.path) \(st), then set model = \"mano:\(st)\"")
        }
        // Known by its first bytes too, whatever its name.
        let renamed = dir.appendingPathComponent("hand.model")
        try FileManager.default.copyItem(at: pkl, to: renamed)
        XCTAssertThrowsError(try HandModel.named("mano:\(renamed.path)", side: .left)) { error in
            XCTAssertTrue("\(error)".hasPrefix("mano:\(renamed.path): is MANO's pickle; convert it once with:"), "\(error)")
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }
}
