import Foundation
import XCTest

/// `handmesh run` at the edges of a run, as a real process: outputs that cannot be opened or that
/// go away, inputs that never open, and signals before the first frame.
final class RunStartAndStopTests: XCTestCase {
    private func run(_ arguments: [String], timeout: Double = 120) throws -> ToolResult {
        try runTool(try Fixtures.handmeshBinary(), ["run"] + arguments, timeout: timeout)
    }

    /// `run … | head -3`: the reader goes away, and so does the run, at once and with status 5.
    func testABrokenStdoutPipeStopsTheRunWithStatus5() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Fixtures.handmeshBinary())
        // About a minute of frames: far longer than a prompt stop may take.
        process.arguments = ["run", "--input", "lavfi:testsrc2=size=160x120:rate=30:duration=60"]
        let stdout = Pipe()
        let errors = try TemporaryDirectory()
        _ = FileManager.default.createFile(atPath: errors.file("stderr"), contents: nil)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = FileHandle(forWritingAtPath: errors.file("stderr"))
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var received = Data()
        while received.filter({ $0 == UInt8(ascii: "\n") }).count < 3 {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received.append(chunk)
        }
        try stdout.fileHandleForReading.close()
        let closed = Date()
        guard eventually(timeout: 15, { !process.isRunning }) else {
            return XCTFail("the run must stop once nobody reads")
        }
        let stderr = (try? String(contentsOfFile: errors.file("stderr"), encoding: .utf8)) ?? ""
        XCTAssertEqual(process.terminationStatus, 5, stderr)
        XCTAssertLessThan(Date().timeIntervalSince(closed), 15)
        XCTAssertTrue(stderr.contains("handmesh: error: stream main: every output is gone"), stderr)
        XCTAssertLessThanOrEqual(stderr.split(separator: "\n").count, 3, stderr)
    }

    /// With a file beside it, the file gets every record and the run its usual status.
    func testABrokenStdoutPipeBesideAFileCarriesOnWithTheFile() throws {
        let directory = try TemporaryDirectory()
        let output = directory.file("out.ndjson"), status = directory.file("status")
        let result = try runTool("/bin/sh", ["-c", "{ \"$0\" run --input lavfi:testsrc2=size=160x120:rate=30:duration=3 --output ndjson:- ndjson:\"$1\"; echo $? >\"$2\"; } | head -c 1 >/dev/null",
                                             try Fixtures.handmeshBinary(), output, status], timeout: 120)
        XCTAssertEqual(try String(contentsOfFile: status, encoding: .utf8), "0\n", result.stderr)
        let all = parseRecords(try String(contentsOfFile: output, encoding: .utf8))
        XCTAssertEqual(records(all, ofType: "frame").count, 90, result.stderr)
        XCTAssertEqual(all.last?["reason"] as? String, "eof")
    }

    func testAnInputThatDoesNotOpenCreatesNoOutputFile() throws {
        let directory = try TemporaryDirectory()
        let output = directory.file("out.ndjson"), kept = directory.file("kept.ndjson")
        try "{\"old\":1}\n".write(toFile: kept, atomically: true, encoding: .utf8)
        let result = try run(["--input", directory.file("missing.mp4"), "--output", "ndjson:\(output)", "ndjson:\(kept)",
                              "unix:\(directory.file("s.sock"))"])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "no file for a run that never started")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.file("s.sock")))
        XCTAssertEqual(try String(contentsOfFile: kept, encoding: .utf8), "{\"old\":1}\n", "a file that was there stays as it was")
    }

    func testAnUnwritableOverlayExits4BeforeProcessing() throws {
        let directory = try TemporaryDirectory()
        let clip = directory.file("clip.mp4")
        try Fixtures.makeClip(at: clip, seconds: 1)
        let overlay = "\(directory.path)/no/such/dir/overlay.mp4"
        let output = directory.file("out.ndjson")
        let result = try run(["--input", clip, "--output", "ndjson:\(output)", "--overlay", overlay])
        XCTAssertEqual(result.status, 4, result.stderr)
        XCTAssertEqual(result.stderr, "handmesh: error: overlay \(overlay): cannot open for writing: No such file or directory\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "processing never started")
    }
}
