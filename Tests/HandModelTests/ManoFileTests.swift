import Foundation
import HandModel
import XCTest

/// MANO for licence holders, tested on a random pickle with MANO's structure (never MANO itself):
/// the Python converter reads it without chumpy, the Swift loader reads the converter's output, and
/// the forward pass must agree with an independent numpy LBS oracle on the same pickle.
final class ManoFileTests: XCTestCase {
    struct OracleResult: Decodable {
        var vertices: [[Double]]
        var keypoints_joints: [[Double]]
        var keypoints_mediapipe: [[Double]]
    }

    /// A fake MANO pickle storing its values as chumpy expressions (shapedirs a Select of a Ch, as
    /// MANO v1.2 does), converted; and the same values as plain arrays (`pickle`), which the numpy
    /// oracle reads, so the converter's evaluation of the expressions is checked independently.
    func convertedFakeMano(seed: Int, side: HandSide = .right) throws -> (pickle: URL, model: URL) {
        let tag = side == .right ? "MANO_RIGHT" : "MANO_LEFT"
        let expressions = PythonOracle.temporaryFile("fake_\(tag).pkl")
        let pickle = PythonOracle.temporaryFile("fake_\(tag)_plain.pkl")
        let model = PythonOracle.temporaryFile("fake_\(tag).safetensors")
        defer { try? FileManager.default.removeItem(at: expressions) }
        try PythonOracle.run("make_fake_mano_pickle.py", [expressions.path, "--seed", "\(seed)", "--side", side.rawValue])
        try PythonOracle.run("make_fake_mano_pickle.py", [pickle.path, "--seed", "\(seed)", "--side", side.rawValue, "--plain"])
        try PythonOracle.run("mano_to_safetensors.py", [expressions.path, model.path])
        return (pickle, model)
    }

    static func maxError(_ a: [SIMD3<Double>], _ b: [SIMD3<Double>]) -> Double {
        XCTAssertEqual(a.count, b.count)
        return zip(a, b).map { x, y in ((x - y) * (x - y)).sum().squareRoot() }.max()!
    }

    func testLeftPickleConvertsAndLoadsAsTheLeftHand() throws {
        // MANO_LEFT is MANO_RIGHT's mirror image; the fake left pickle is the fake right one mirrored.
        let right = try convertedFakeMano(seed: 9, side: .right)
        let left = try convertedFakeMano(seed: 9, side: .left)
        defer { for u in [right.pickle, right.model, left.pickle, left.model] { try? FileManager.default.removeItem(at: u) } }
        let rightModel = try HandModel.named("mano:\(right.model.path)", side: .right)
        let leftModel = try HandModel.named("mano:\(left.model.path)", side: .left)
        XCTAssertEqual(leftModel.side, .left)
        XCTAssertEqual(leftModel.tensors.tipVertices, HandModelTensors.manoLeftTipVertices)
        let mirroredRight = try HandModel(tensors: rightModel.tensors.mirrored(), side: .left)
        var rng = ForwardFunctionTests.SplitMix(s: 17)
        for _ in 0..<3 {
            let p = ForwardFunctionTests.randomParameters(&rng)
            let e = Self.maxError(leftModel.vertices(p), mirroredRight.vertices(p))
            print("fake MANO_LEFT vs fake MANO_RIGHT mirrored: vertices \(e) m")
            XCTAssertLessThan(e, 1e-12)
        }
        // One file serves both hands: the left file asked for the right hand is mirrored back.
        let rightFromLeft = try HandModel.named("mano:\(left.model.path)", side: .right)
        let p = ForwardFunctionTests.randomParameters(&rng)
        XCTAssertLessThan(Self.maxError(rightFromLeft.vertices(p), rightModel.vertices(p)), 1e-12)
        XCTAssertEqual(leftModel.poseLimits.count, 45)
    }

    func testConverterNamesAnUnknownChumpyClassAndTheKey() throws {
        let pickle = PythonOracle.temporaryFile("unknown.pkl")
        defer { try? FileManager.default.removeItem(at: pickle) }
        try PythonOracle.run("make_fake_mano_pickle.py", [pickle.path, "--unknown-class"])
        let (status, message) = try Self.convert(pickle)
        XCTAssertEqual(status, 1)
        XCTAssertEqual(message, "\(pickle.path): hands_mean: unsupported chumpy class chumpy.ch_ops.sin "
                       + "(keys ['_depends_on_deps', '_dirty_vars', '_itr', 'x'])\n")
    }

    /// Runs the converter on `pickle`, returning its exit status and standard error.
    static func convert(_ pickle: URL) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: PythonOracle.python)
        p.arguments = (PythonOracle.python == "/usr/bin/env" ? ["python3"] : [])
            + [PythonOracle.root.appendingPathComponent("scripts/mano_to_safetensors.py").path, pickle.path, pickle.path + ".out"]
        let err = Pipe()
        p.standardError = err
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        try? FileManager.default.removeItem(atPath: pickle.path + ".out")
        return (p.terminationStatus, message)
    }

    func testConvertedPickleMatchesNumpyForwardPass() throws {
        let files = try convertedFakeMano(seed: 7)
        defer { try? FileManager.default.removeItem(at: files.pickle); try? FileManager.default.removeItem(at: files.model) }
        let model = try HandModel(safetensorsAt: files.model, side: .right)
        XCTAssertEqual(model.vertexCount, 778)
        XCTAssertEqual(model.faces.count, 1538)
        XCTAssertTrue(model.hasPoseCorrectives)
        XCTAssertEqual(model.poseComponents?.count, 45 * 45)
        var rng = ForwardFunctionTests.SplitMix(s: 11)
        for trial in 0..<3 {
            let p = ForwardFunctionTests.randomParameters(&rng)
            let params = PythonOracle.temporaryFile("params.json")
            defer { try? FileManager.default.removeItem(at: params) }
            try JSONSerialization.data(withJSONObject: p.vector).write(to: params)
            let oracle = try JSONDecoder().decode(OracleResult.self, from: PythonOracle.run("numpy_lbs_oracle.py", [files.pickle.path, params.path]))
            func maxError(_ a: [SIMD3<Double>], _ b: [[Double]]) -> Double {
                XCTAssertEqual(a.count, b.count)
                return zip(a, b).map { x, y in
                    let d = x - SIMD3(y[0], y[1], y[2])
                    return (d * d).sum().squareRoot()
                }.max()!
            }
            let vertexError = maxError(model.vertices(p), oracle.vertices)
            let jointError = maxError(model.with(keypoints: .modelJoints).keypoints(p), oracle.keypoints_joints)
            let mediaPipeError = maxError(model.keypoints(p), oracle.keypoints_mediapipe)
            print("MANO-layout model vs numpy oracle, trial \(trial): vertices \(vertexError) m, joints \(jointError) m, MediaPipe keypoints \(mediaPipeError) m")
            XCTAssertLessThan(vertexError, 1e-10)
            XCTAssertLessThan(jointError, 1e-10)
            XCTAssertLessThan(mediaPipeError, 1e-10)
        }
    }

    func testJacobiansWithPoseCorrectivesMatchFiniteDifferences() throws {
        let files = try convertedFakeMano(seed: 3)
        defer { try? FileManager.default.removeItem(at: files.pickle); try? FileManager.default.removeItem(at: files.model) }
        let model = try HandModel(safetensorsAt: files.model, side: .right)
        var rng = ForwardFunctionTests.SplitMix(s: 5)
        let p = ForwardFunctionTests.randomParameters(&rng)
        let k = ForwardFunctionTests.jacobianError(model: model, parameters: p, vertices: false)
        let v = ForwardFunctionTests.jacobianError(model: model, parameters: p, vertices: true)
        print("MANO-layout model with posedirs: keypoint Jacobian error \(k.maxAbs), vertex Jacobian error \(v.maxAbs)")
        XCTAssertLessThan(k.maxAbs, 1e-7)
        XCTAssertLessThan(v.maxAbs, 1e-7)
    }

    func testPoseCorrectivesAreApplied() throws {
        let files = try convertedFakeMano(seed: 4)
        defer { try? FileManager.default.removeItem(at: files.pickle); try? FileManager.default.removeItem(at: files.model) }
        let model = try HandModel(safetensorsAt: files.model, side: .right)
        var without = model.tensors
        without.poseDirs = nil
        let plain = try HandModel(tensors: without, side: .right)
        var p = HandParameters.rest
        p.pose[5] = 0.8
        let a = model.vertices(p), b = plain.vertices(p)
        let largest = zip(a, b).map { (($0 - $1) * ($0 - $1)).sum().squareRoot() }.max()!
        XCTAssertGreaterThan(largest, 1e-3, "posedirs must change the posed mesh")
        // And vanish at the flat pose, where R − I = 0.
        XCTAssertEqual(model.vertices(.rest), plain.vertices(.rest))
    }

    func testMirroredManoIsTheMirrorImageWithCorrectives() throws {
        // The posedirs sign changes under the mirror are the subtle part: check them on a model that has them.
        let files = try convertedFakeMano(seed: 8)
        defer { try? FileManager.default.removeItem(at: files.pickle); try? FileManager.default.removeItem(at: files.model) }
        let right = try HandModel(safetensorsAt: files.model, side: .right)
        let left = try HandModel(tensors: right.tensors.mirrored(), side: .left)
        var rng = ForwardFunctionTests.SplitMix(s: 13)
        let p = ForwardFunctionTests.randomParameters(&rng)
        let largest = MirrorCheck.largestError(right: right, left: left, parameters: p)
        XCTAssertLessThan(largest, 1e-12)
    }

    func testConverterRejectsABrokenPickleWithOneClearError() throws {
        let bad = PythonOracle.temporaryFile("broken.pkl")
        defer { try? FileManager.default.removeItem(at: bad) }
        try Data("not a pickle at all".utf8).write(to: bad)
        let (status, message) = try Self.convert(bad)
        XCTAssertEqual(status, 1)
        XCTAssertTrue(message.hasPrefix(bad.path + ": not a readable MANO pickle"), message)
        XCTAssertFalse(message.contains("Traceback"), message)
    }

    func testLoaderNamesTheFileAndTheMissingTensor() throws {
        let url = PythonOracle.temporaryFile("partial.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        var file = HandModel.builtIn(side: .right).tensors.safetensors
        file.tensors["weights"] = nil
        try file.write(to: url)
        XCTAssertThrowsError(try HandModel(safetensorsAt: url, side: .right)) { error in
            XCTAssertEqual("\(error)", "\(url.path): missing tensor \"weights\"")
        }
    }

    func testBuiltInRoundTripsThroughSafetensors() throws {
        let url = PythonOracle.temporaryFile("builtin.safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let builtIn = HandModel.builtIn(side: .right)
        try builtIn.tensors.safetensors.write(to: url)
        let loaded = try HandModel(safetensorsAt: url, side: .right)
        XCTAssertEqual(loaded.tensors, builtIn.tensors)
        let size = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int
        XCTAssertLessThan(size, 2_000_000)
    }
}
