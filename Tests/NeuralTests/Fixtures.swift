import Foundation
import Neural
import XCTest

/// Where the tests find the model files and LiteRT's reference outputs, with the command that makes
/// each when it is missing.
enum Fixtures {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let references = repository.appendingPathComponent(".cache/litert", isDirectory: true)
    static let referenceCommand = ".venv-oracle/bin/python scripts/litert_reference.py"

    /// The model file, verified; fails the test with the command to fetch it when it is missing.
    static func model(_ network: HandNetwork, backend: MatrixBackend = .packed, precision: Precision = .float32,
                      file: StaticString = #filePath, line: UInt = #line) throws -> TFLiteModel {
        let store = ModelStore()
        do {
            try store.verify(network)
        } catch {
            XCTFail("\(error) — run `swift run -c release handmesh models fetch` (or set HANDMESH_MODELS)", file: file, line: line)
            throw error
        }
        return try TFLiteModel(contentsOf: store.url(for: network), backend: backend, precision: precision)
    }

    static func modelBytes(_ network: HandNetwork, file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
        let store = ModelStore()
        do {
            try store.verify(network)
        } catch {
            XCTFail("\(error) — run `swift run -c release handmesh models fetch` (or set HANDMESH_MODELS)", file: file, line: line)
            throw error
        }
        return [UInt8](try Data(contentsOf: store.url(for: network)))
    }

    /// The small every-operator model scripts/litert_reference.py writes next to its references.
    static func tinyModelBytes(file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8] {
        let url = references.appendingPathComponent("tiny.tflite")
        guard let data = try? Data(contentsOf: url) else {
            XCTFail("test model \(url.path) is missing: run `\(referenceCommand)` in \(repository.path)", file: file, line: line)
            throw ModelError(file: url.path, problem: "missing")
        }
        return [UInt8](data)
    }

    /// A float32 little-endian reference file; fails naming the file and the command that makes it.
    static func floats(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws -> [Float] {
        let url = references.appendingPathComponent(name)
        guard let data = try? Data(contentsOf: url) else {
            let message = "LiteRT reference \(url.path) is missing: run `\(referenceCommand)` in \(repository.path)"
            XCTFail(message, file: file, line: line)
            throw ModelError(file: url.path, problem: "missing")
        }
        return data.withUnsafeBytes { raw in
            (0..<data.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }

    struct Manifest: Decodable {
        struct Model: Decodable {
            struct Output: Decodable { var name: String; var shape: [Int] }
            var model: String
            var input_shape: [Int]
            var outputs: [Output]
            var inputs: [String]
        }
        var models: [Model]
    }

    static func manifest(file: StaticString = #filePath, line: UInt = #line) throws -> Manifest {
        let url = references.appendingPathComponent("manifest.json")
        guard let data = try? Data(contentsOf: url) else {
            XCTFail("LiteRT reference \(url.path) is missing: run `\(referenceCommand)` in \(repository.path)", file: file, line: line)
            throw ModelError(file: url.path, problem: "missing")
        }
        return try JSONDecoder().decode(Manifest.self, from: data)
    }
}
