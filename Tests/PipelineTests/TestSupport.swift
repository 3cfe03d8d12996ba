import Foundation
import XCTest

/// A scratch directory per test, removed afterwards.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("handmesh-test-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

enum Fixtures {
    /// The repository root, from this file's place in Tests/PipelineTests.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static let schemaPath = "\(repositoryRoot)/schema/handmesh-record.schema.json"
    static let exampleConfigPath = "\(repositoryRoot)/Config/handmesh.example.toml"

    /// A view of the real stereo clip (`../shared/data/stereo-hand/camN_test.mp4`), or the missing
    /// input named, so a test without `../shared` beside the repository says why.
    static func realClip(view: Int = 0) throws -> String {
        let clip = "\(repositoryRoot)/../shared/data/stereo-hand/cam\(view)_test.mp4"
        guard FileManager.default.fileExists(atPath: clip) else { throw MissingTestInput("\(clip) is missing; the suite reads ../shared beside the repository") }
        return clip
    }

    /// Encodes a test pattern with the ffmpeg CLI (H.264 when available, else MPEG-4 Part 2).
    static func makeClip(at path: String, seconds: Double = 2, size: String = "320x240", rate: Int = 30) throws {
        for codec in [["-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "15"], ["-c:v", "mpeg4"]] {
            let result = try runTool("/usr/bin/env", ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                                                      "testsrc2=size=\(size):rate=\(rate)", "-t", String(seconds)] + codec + [path],
                                     timeout: 60)
            if result.status == 0 { return }
        }
        throw MissingTestInput("ffmpeg could not encode a test clip (scripts/install-system-packages installs it)")
    }

    /// A copy of `clip` with random bytes written over a stretch of its middle, away from the
    /// header so that the file still opens.
    static func corrupt(_ clip: String, into path: String, seed: UInt64 = 7) throws {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: clip)))
        var random = SplitMix64(seed: seed)
        for _ in 0..<24 {
            let at = bytes.count / 4 + Int(random.next() % UInt64(bytes.count / 2))
            for i in at..<min(at + 150, bytes.count) {
                bytes[i] = UInt8(truncatingIfNeeded: random.next())
            }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// The `handmesh` executable built beside this test bundle.
    /// `HANDMESH_BINARY` names another build instead, to watch a new test fail on the binary from
    /// before its fix.
    static func handmeshBinary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["HANDMESH_BINARY"], !path.isEmpty { return path }
        var candidates: [URL] = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        for directory in candidates {
            var folder = directory
            for _ in 0..<3 {
                let path = folder.appendingPathComponent("handmesh").path
                if FileManager.default.isExecutableFile(atPath: path) { return path }
                folder = folder.deletingLastPathComponent()
            }
        }
        throw MissingTestInput("the handmesh executable is not built beside the tests (run swift build -c release first)")
    }
}

/// A small deterministic random generator for fuzzing and corruption.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

struct ToolResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a program to completion with its output in files (no pipe can fill up), killing it
/// if it outlives `timeout`.
func runTool(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
             timeout: Double) throws -> ToolResult {
    let child = try Child(executable, arguments, environment: environment)
    guard child.waitForExit(timeout: timeout) else {
        child.kill()
        throw TestFailure("\(executable) \(arguments) did not exit within \(timeout) s")
    }
    return ToolResult(status: child.status, stdout: child.stdout, stderr: child.stderr)
}

/// A child process whose stdout and stderr go to files the test can read while it runs.
final class Child {
    let process = Process()
    let directory: TemporaryDirectory

    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        directory = try TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: directory.file("stdout"), contents: nil)
        _ = FileManager.default.createFile(atPath: directory.file("stderr"), contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle(forWritingAtPath: directory.file("stdout"))
        process.standardError = FileHandle(forWritingAtPath: directory.file("stderr"))
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { (try? String(contentsOfFile: directory.file("stdout"), encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOfFile: directory.file("stderr"), encoding: .utf8)) ?? "" }
    var status: Int32 { process.terminationStatus }

    func send(_ signal: Int32) {
        Foundation.kill(pid, signal)
    }

    func waitForExit(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { return false }
            usleep(10_000)
        }
        return true
    }

    func kill() {
        if process.isRunning {
            Foundation.kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit {
        kill()
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes.
func eventually(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        if Date() > deadline { return false }
        usleep(10_000)
    }
    return true
}

/// Lines of an NDJSON file (or text), parsed; a line that is not a JSON object fails the test.
func parseRecords(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [[String: Any]] {
    var records: [[String: Any]] = []
    XCTAssertTrue(text.isEmpty || text.hasSuffix("\n"), "the last line is incomplete", file: file, line: line)
    for text in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            XCTFail("not a JSON object: \(text.prefix(200))", file: file, line: line)
            continue
        }
        records.append(object)
    }
    return records
}

func records(_ records: [[String: Any]], ofType type: String) -> [[String: Any]] {
    records.filter { $0["type"] as? String == type }
}

/// Validates every line of an NDJSON file against the shipped JSON Schema with Python's
/// jsonschema (Draft 2020-12); returns the validation errors, empty when all lines pass.
func schemaErrors(ofLinesIn path: String) throws -> [String] {
    let script = """
    import json, sys, jsonschema
    schema = json.load(open(sys.argv[1]))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failed = 0
    for number, line in enumerate(open(sys.argv[2], encoding="utf-8"), 1):
        error = jsonschema.exceptions.best_match(validator.iter_errors(json.loads(line)))
        if error is not None:
            failed += 1
            if failed <= 20:
                print(f"line {number}: {error.message[:200]} at {list(error.absolute_path)}")
    """
    // The python3 on PATH: where pip put jsonschema (pyenv here, python3-jsonschema on Debian).
    let result = try runTool("/usr/bin/env", ["python3", "-c", script, Fixtures.schemaPath, path], timeout: 120)
    guard result.status == 0 else {
        return ["python3 jsonschema failed (\(result.status)): \(result.stderr)"]
    }
    return result.stdout.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("checked ") }
}

/// `handmesh eval mask --per-frame`'s lines, `frame INDEX iou IOU`, by index.
func perFrameIoU(_ stdout: String) -> [Int: Double] {
    var out: [Int: Double] = [:]
    for line in stdout.split(separator: "\n") where line.hasPrefix("frame ") {
        let parts = line.split(separator: " ")
        if parts.count >= 4, let index = Int(parts[1]), let iou = Double(parts[3]) { out[index] = iou }
    }
    return out
}
