import Foundation
import XCTest

/// Runs the repository's Python scripts (converter, fake MANO pickle, numpy oracle) for tests:
/// in .venv-oracle when it exists, else python3 on the PATH.
enum PythonOracle {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var python: String {
        let venv = root.appendingPathComponent(".venv-oracle/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/env"
    }

    /// Runs `scripts/<script> args…`; returns stdout, fails the test with stderr on a non-zero exit.
    @discardableResult
    static func run(_ script: String, _ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Data {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        let scriptPath = root.appendingPathComponent("scripts/\(script)").path
        p.arguments = (python == "/usr/bin/env" ? ["python3"] : []) + [scriptPath] + args
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("handmodel-oracle-\(UUID().uuidString).out")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("handmodel-oracle-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        p.waitUntilExit()
        let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        if p.terminationStatus != 0 {
            XCTFail("\(script) exited \(p.terminationStatus): \(stderr)", file: file, line: line)
            throw CocoaError(.executableLoad)
        }
        return try Data(contentsOf: out)
    }

    static func temporaryFile(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("handmodel-\(UUID().uuidString)-\(name)")
    }
}
