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

    /// SIGTERM while the input is still opening (a FIFO: its open waits for a writer, so the
    /// signal lands there every time): the stop waits for the run to exist, then ends it at once
    /// with a header, an end record saying "stopped" and status 0.
    func testSIGTERMWhileTheInputOpensStillWritesHeaderAndEnd() throws {
        let directory = try TemporaryDirectory()
        let clip = directory.file("clip.ts"), fifo = directory.file("in.ts"), output = directory.file("out.ndjson")
        // Under the 64 KiB a pipe holds, so that writing it never waits for the reader.
        try Fixtures.makeClip(at: clip, seconds: 0.5)
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let child = try Child(try Fixtures.handmeshBinary(), ["run", "--input", fifo, "--output", "ndjson:\(output)"])
        // A writer can open the FIFO once the process has it open for reading.
        var writer: Int32 = -1
        XCTAssertTrue(eventually(timeout: 60) {
            writer = open(fifo, O_WRONLY | O_NONBLOCK)
            return writer >= 0
        }, child.stderr)
        child.send(SIGTERM)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: clip))
        XCTAssertLessThan(bytes.count, 65536)
        _ = bytes.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
        close(writer)
        XCTAssertTrue(child.waitForExit(timeout: 60))
        XCTAssertEqual(child.status, 0, child.stderr)
        let all = parseRecords((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
        XCTAssertEqual(all.first?["type"] as? String, "header")
        XCTAssertEqual(all.last?["type"] as? String, "end")
        XCTAssertEqual(all.last?["reason"] as? String, "stopped")
    }

    /// SIGTERM from the moment the process can take it (before that the dynamic loader and the
    /// libraries' start-up run, where no program can catch a signal) through config, input and
    /// model loading: each of 20 starts ends in a header, an end record saying "stopped" and status 0.
    func testSIGTERMRightAfterStartStillWritesHeaderAndEnd() throws {
        let directory = try TemporaryDirectory()
        for start in 0..<20 {
            let output = directory.file("out\(start).ndjson")
            let child = try Child(try Fixtures.handmeshBinary(),
                                  ["run", "--input", "lavfi:testsrc2=size=160x120:rate=30", "--realtime", "--output", "ndjson:\(output)"])
            XCTAssertTrue(eventually(timeout: 30) { Self.takesSIGTERM(child.pid) }, "start \(start)")
            usleep(UInt32(start * 10_000))
            child.send(SIGTERM)
            XCTAssertTrue(child.waitForExit(timeout: 30), "start \(start) must stop")
            XCTAssertEqual(child.status, 0, "start \(start): \(child.stderr)")
            let all = parseRecords((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
            XCTAssertEqual(all.first?["type"] as? String, "header", "start \(start)")
            XCTAssertEqual(all.last?["type"] as? String, "end", "start \(start)")
            XCTAssertEqual(all.last?["reason"] as? String, "stopped", "start \(start)")
        }
    }

    /// Whether the process catches or ignores SIGTERM, from /proc/PID/status.
    private static func takesSIGTERM(_ pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return false }
        var mask: UInt64 = 0
        for line in status.split(separator: "\n") where line.hasPrefix("SigIgn:") || line.hasPrefix("SigCgt:") {
            mask |= UInt64(line.split(separator: "\t").last ?? "", radix: 16) ?? 0
        }
        return mask & (1 << (UInt64(SIGTERM) - 1)) != 0
    }
}
