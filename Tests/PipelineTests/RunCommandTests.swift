import Foundation
import XCTest

/// `handmesh run` as a child process: real decoding, real files, real signals.
final class RunCommandTests: XCTestCase {
    private func run(_ arguments: [String], timeout: Double = 120) throws -> ToolResult {
        try runTool(try Fixtures.handmeshBinary(), ["run"] + arguments, timeout: timeout)
    }

    func testAClipGivesAHeaderOneRecordPerFrameAndAnEnd() throws {
        let directory = try TemporaryDirectory()
        let clip = directory.file("clip.mp4")
        try Fixtures.makeClip(at: clip, seconds: 3)
        let result = try run(["--input", clip])
        XCTAssertEqual(result.status, 0, result.stderr)
        let all = parseRecords(result.stdout)
        XCTAssertEqual(all.first?["type"] as? String, "header")
        XCTAssertEqual((all.first?["input"] as? [String: Any])?["description"] as? String, clip)
        XCTAssertEqual((all.first?["joints"] as? [String])?.count, 21)
        let frames = records(all, ofType: "frame")
        XCTAssertEqual(frames.map { $0["index"] as? Int }, (0..<90).map { $0 })
        XCTAssertTrue(frames.allSatisfy { ($0["hands"] as? [Any])?.isEmpty == true })
        let end = try XCTUnwrap(all.last)
        XCTAssertEqual(end["type"] as? String, "end")
        XCTAssertEqual(end["reason"] as? String, "eof")
        XCTAssertEqual(end["decoded"] as? Int, 90)
        XCTAssertEqual(end["processed"] as? Int, 90)
        let output = directory.file("stdout.ndjson")
        try result.stdout.write(toFile: output, atomically: true, encoding: .utf8)
        XCTAssertEqual(try schemaErrors(ofLinesIn: output), [])
    }

    func testTheRealClipGives378FrameRecords() throws {
        let clip = try Fixtures.realClip()
        let directory = try TemporaryDirectory()
        let output = directory.file("cam0.ndjson")
        let result = try run(["--input", clip, "--output", "ndjson:\(output)"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "", "nothing on stdout when the output is a file")
        let all = parseRecords(try String(contentsOfFile: output, encoding: .utf8))
        XCTAssertEqual(records(all, ofType: "frame").count, 378)
        XCTAssertEqual(all.last?["decoded"] as? Int, 378)
        XCTAssertEqual(all.last?["corrupt"] as? Int, 0)
        XCTAssertEqual(try schemaErrors(ofLinesIn: output), [])
    }

    /// The whole product path on real footage: the calibrated view's config, evidence and fitting
    /// stages, and the overlay video. MediaPipe finds the hand in 360 of the 378 frames (the
    /// evidence tests' oracle); every such frame must carry a fitted hand whose joints project
    /// onto its landmarks.
    func testTheRealClipIsTrackedAndFittedWithAnOverlay() throws {
        let clip = try Fixtures.realClip()
        let directory = try TemporaryDirectory()
        let output = directory.file("cam0.ndjson"), overlay = directory.file("overlay.mp4")
        let config = "\(Fixtures.repositoryRoot)/Config/examples/desk-view0.toml"
        let result = try run(["--config", config, "--input", clip, "--output", "ndjson:\(output)", "--overlay", overlay])
        XCTAssertEqual(result.status, 0, result.stderr)
        let frames = records(parseRecords(try String(contentsOfFile: output, encoding: .utf8)), ofType: "frame")
        XCTAssertEqual(frames.count, 378)
        var fitted = 0, reprojection: [Double] = []
        for frame in frames {
            guard let hand = (frame["hands"] as? [[String: Any]])?.first else { continue }
            XCTAssertEqual(hand["handedness"] as? String, "right", "a right hand, seen unmirrored")
            guard let joints = hand["joints3d"] as? [[Double]], let fit = hand["fit"] as? [String: Any],
                  let px = fit["reprojection_px"] as? Double else { continue }
            XCTAssertEqual(joints.count, 21)
            XCTAssertTrue(joints.allSatisfy { $0.count == 3 && $0[2] > 0.1 && $0[2] < 2 }, "joints in front of the camera")
            fitted += 1
            reprojection.append(px)
        }
        XCTAssertGreaterThanOrEqual(fitted, 355, "frames with a fitted hand")
        let meanReprojection = reprojection.reduce(0, +) / Double(max(reprojection.count, 1))
        // The records carry the One Euro-filtered fit, which trails fast mouse moves by about half a
        // frame: about 9 px here against 3.3 px unfiltered (`handmesh eval fit`, README).
        XCTAssertLessThan(meanReprojection, 12, "mean reprojection of fitted joints to the landmarks, px")
        XCTAssertEqual(try schemaErrors(ofLinesIn: output), [])
        let attributes = try FileManager.default.attributesOfItem(atPath: overlay)
        XCTAssertGreaterThan((attributes[.size] as? Int) ?? 0, 100_000, "the overlay video was written")
    }

    func testSeveralInputsRunAsSeveralStreamsIntoSeveralOutputs() throws {
        let directory = try TemporaryDirectory()
        let clip = directory.file("clip.mp4")
        try Fixtures.makeClip(at: clip, seconds: 1)
        let a = directory.file("a.ndjson"), b = directory.file("b.ndjson")
        let result = try run(["--input", clip, "lavfi:testsrc2=size=160x120:rate=30:duration=0.5",
                              "--output", "ndjson:\(a)", "ndjson:\(b)"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let contentA = try String(contentsOfFile: a, encoding: .utf8)
        // Each stream's records reach both outputs in the same order; how the two streams interleave
        // is up to when each wrote, and may differ from one file to the other.
        func byStream(_ text: String) -> [String: [String]] {
            Dictionary(grouping: text.split(separator: "\n").map(String.init)) { line in
                ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["stream"] as? String ?? ""
            }
        }
        XCTAssertEqual(byStream(contentA), byStream(try String(contentsOfFile: b, encoding: .utf8)))
        let all = parseRecords(contentA)
        XCTAssertEqual(records(all, ofType: "frame").filter { $0["stream"] as? String == "input0" }.count, 30)
        XCTAssertEqual(records(all, ofType: "frame").filter { $0["stream"] as? String == "input1" }.count, 15)
        XCTAssertEqual(records(all, ofType: "end").count, 2)
    }

    func testADamagedClipIsProcessedPastTheDamageWithErrorRecordsAndStatus3() throws {
        let directory = try TemporaryDirectory()
        let clip = directory.file("clip.mp4")
        try Fixtures.makeClip(at: clip, seconds: 3)
        let damaged = directory.file("damaged.mp4")
        try Fixtures.corrupt(clip, into: damaged)
        let result = try run(["--input", damaged])
        XCTAssertEqual(result.status, 3, "done, but damaged: \(result.stderr.suffix(500))")
        let all = parseRecords(result.stdout)
        let errors = records(all, ofType: "error")
        XCTAssertFalse(errors.isEmpty)
        let end = try XCTUnwrap(all.last)
        XCTAssertEqual(end["type"] as? String, "end")
        XCTAssertEqual(end["corrupt"] as? Int, errors.reduce(0) { $0 + ($1["packets"] as? Int ?? 0) })
        XCTAssertEqual(records(all, ofType: "frame").count, end["decoded"] as? Int)
        XCTAssertGreaterThan(end["decoded"] as? Int ?? 0, 45, "decoding went on past the damage")
        let output = directory.file("out.ndjson")
        try result.stdout.write(toFile: output, atomically: true, encoding: .utf8)
        XCTAssertEqual(try schemaErrors(ofLinesIn: output), [])
    }

    func testAnUnreadableInputExits2WithOneErrorLineNamingIt() throws {
        let directory = try TemporaryDirectory()
        let empty = directory.file("empty.mp4")
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        let text = directory.file("notes.mp4")
        try "these are not frames\n".write(toFile: text, atomically: true, encoding: .utf8)
        let locked = directory.file("locked.mp4")
        try Fixtures.makeClip(at: locked, seconds: 0.2)
        chmod(locked, 0)
        for input in [directory.file("missing.mp4"), empty, text, locked, "unix-nonsense://x", "tcp://127.0.0.1:9"] {
            if input == locked, getuid() == 0 { continue }  // root reads anything
            let result = try run(["--input", input], timeout: 60)
            XCTAssertEqual(result.status, 2, "\(input): \(result.stderr)")
            XCTAssertEqual(result.stdout, "", "\(input): no records for an input that never opened")
            let ours = result.stderr.split(separator: "\n").filter { $0.hasPrefix("handmesh: error:") }
            XCTAssertEqual(ours.count, 1, result.stderr)
            XCTAssertTrue(ours.first?.contains(input) == true, "\(ours) should name \(input)")
        }
    }

    func testABadConfigNamesTheKeyAndTheFile() throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("bad.toml")
        try "[[streams]]\nname = \"a\"\ninput = \"x.mp4\"\n[streams.camera]\nfx = \"abc\"\nfy = 1\ncx = 1\ncy = 1\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let result = try run(["--config", config, "--input", "whatever.mp4"])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "handmesh: error: \(config): streams[0].camera.fx: expected pixels, from 1 to 1e6, got \"abc\"\n")
        let badOutput = try run(["--input", "lavfi:testsrc2=size=160x120:rate=30:duration=1", "--output", "unix:\(directory.path)/no/such/dir/s.sock"])
        XCTAssertEqual(badOutput.status, 4)
        XCTAssertTrue(badOutput.stderr.hasPrefix("handmesh: error: output unix:\(directory.path)/no/such/dir/s.sock: cannot bind"),
                      badOutput.stderr)
    }

    /// Each of these disagreed with the README (issue 19, item 15): exit 64 or 4 for a bad argument,
    /// a --models option that `run` does not have, Foundation's error texts for odd config paths.
    func testMessagesAndExitStatusesMatchTheREADME() throws {
        let directory = try TemporaryDirectory()
        for arguments in [["--no-such-flag"], ["--log-level", "loud", "--input", "x.mp4"]] {
            let result = try run(arguments)
            XCTAssertEqual(result.status, 1, "\(arguments): a bad argument exits 1: \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("Error:"), result.stderr)
        }
        let scheme = try run(["--input", "x.mp4", "--output", "tcp:1234"])
        XCTAssertEqual(scheme.status, 1, "an unknown output scheme is a bad argument, as in a config: \(scheme.stderr)")

        let fifo = directory.file("config.fifo")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        for (config, what) in [("/dev/null", "is a character device"), (fifo, "is a FIFO"), (directory.path, "is a directory")] {
            let result = try run(["--config", config, "--input", "x.mp4"], timeout: 30)
            XCTAssertEqual(result.status, 1, result.stderr)
            XCTAssertEqual(result.stderr, "handmesh: error: \(config): cannot read: \(what), not a regular file\n")
        }

        let long = directory.file("long.toml")
        try "[defaults]\nprecision = \"\(String(repeating: "x", count: 1_000_000))\"\n".write(toFile: long, atomically: true, encoding: .utf8)
        let echoed = try run(["--config", long, "--input", "x.mp4"])
        XCTAssertEqual(echoed.status, 1)
        XCTAssertLessThan(echoed.stderr.utf8.count, 300, "a long value is cut, not echoed in full")
        XCTAssertTrue(echoed.stderr.hasSuffix("got \"\(String(repeating: "x", count: 80))…\"\n"), String(echoed.stderr.suffix(120)))

        let models = directory.file("models")
        try FileManager.default.createDirectory(atPath: models + "/palm_detection_full.tflite", withIntermediateDirectories: true)
        let modelConfig = directory.file("models.toml")
        try "[defaults]\nmodels_dir = \"\(models)\"\n".write(toFile: modelConfig, atomically: true, encoding: .utf8)
        let clip = directory.file("clip.mp4")
        try Fixtures.makeClip(at: clip, seconds: 0.2)
        let asDirectory = try run(["--config", modelConfig, "--input", clip])
        XCTAssertTrue(asDirectory.stderr.contains("\(models)/palm_detection_full.tflite: is a directory, expected a model file"),
                      asDirectory.stderr)
        try FileManager.default.removeItem(atPath: models + "/palm_detection_full.tflite")
        let missing = try run(["--config", modelConfig, "--input", clip])
        XCTAssertTrue(missing.stderr.contains("palm_detection_full.tflite: missing; run `handmesh models fetch`, or set models_dir"), missing.stderr)
        XCTAssertFalse(missing.stderr.contains("--models"), "run has no --models option: \(missing.stderr)")

        let mano = directory.file("mano.toml")
        try "[defaults]\nmodel = \"mano:\(directory.path)/none/mano_right.safetensors\"\n".write(toFile: mano, atomically: true, encoding: .utf8)
        let noMANO = try run(["--config", mano, "--input", clip])
        XCTAssertEqual(noMANO.status, 2, noMANO.stderr)
        XCTAssertTrue(noMANO.stderr.contains("(the config's defaults.model)"), "a missing MANO file names its key: \(noMANO.stderr)")
    }

    private func assertDrains(on signal: Int32) throws {
        let directory = try TemporaryDirectory()
        let output = directory.file("out.ndjson")
        let child = try Child(try Fixtures.handmeshBinary(),
                              ["run", "--input", "lavfi:testsrc2=size=160x120:rate=30", "--realtime", "--output", "ndjson:\(output)"])
        XCTAssertTrue(eventually(timeout: 30) {
            ((try? String(contentsOfFile: output, encoding: .utf8)) ?? "").components(separatedBy: "\"frame\"").count > 10
        }, child.stderr)
        child.send(signal)
        XCTAssertTrue(child.waitForExit(timeout: 15), "the drain must finish")
        XCTAssertEqual(child.status, 0, child.stderr)
        let all = parseRecords(try String(contentsOfFile: output, encoding: .utf8))
        let end = try XCTUnwrap(all.last)
        XCTAssertEqual(end["type"] as? String, "end")
        XCTAssertEqual(end["reason"] as? String, "stopped")
        XCTAssertEqual(records(all, ofType: "frame").count, end["processed"] as? Int)
        XCTAssertEqual(end["decoded"] as? Int, (end["processed"] as? Int ?? -1) + (end["dropped"] as? Int ?? -1))
    }

    func testSIGINTDrainsAndExits0() throws {
        try assertDrains(on: SIGINT)
    }

    func testSIGTERMDrainsAndExits0() throws {
        try assertDrains(on: SIGTERM)
    }

    func testSIGHUPReopensTheOutputFileAfterLogrotateRenamesIt() throws {
        let directory = try TemporaryDirectory()
        let output = directory.file("out.ndjson")
        let rotated = directory.file("out.ndjson.1")
        let child = try Child(try Fixtures.handmeshBinary(),
                              ["run", "--input", "lavfi:testsrc2=size=160x120:rate=30", "--realtime", "--output", "ndjson:\(output)"])
        func frames(_ path: String) -> Int {
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").components(separatedBy: "\"type\":\"frame\"").count - 1
        }
        XCTAssertTrue(eventually(timeout: 30) { frames(output) >= 5 }, child.stderr)
        try FileManager.default.moveItem(atPath: output, toPath: rotated)
        child.send(SIGHUP)
        XCTAssertTrue(eventually(timeout: 10) { frames(output) >= 5 }, "records go to a new file after SIGHUP")
        child.send(SIGINT)
        XCTAssertTrue(child.waitForExit(timeout: 15))
        XCTAssertEqual(child.status, 0, child.stderr)
        let old = parseRecords(try String(contentsOfFile: rotated, encoding: .utf8))
        let new = parseRecords(try String(contentsOfFile: output, encoding: .utf8))
        XCTAssertEqual(old.first?["type"] as? String, "header")
        XCTAssertEqual(new.first?["type"] as? String, "header", "a rotated file starts with the header too")
        XCTAssertEqual(new.last?["type"] as? String, "end")
        let indices = (records(old, ofType: "frame") + records(new, ofType: "frame")).compactMap { $0["index"] as? Int }
        let dropped = (records(old, ofType: "dropped") + records(new, ofType: "dropped")).reduce(0) { $0 + ($1["count"] as? Int ?? 0) }
        XCTAssertEqual(indices.count + dropped, new.last?["decoded"] as? Int, "no record lost across the rotation")
        XCTAssertEqual(indices, indices.sorted())
    }
}

/// The progress display on a real terminal (a pseudo-terminal from util-linux's `script`): a time
/// left while a file runs, and one summary line at the end (issue 19).
final class ProgressDisplayTests: XCTestCase {
    func testATerminalSeesTheTimeLeftAndASummary() throws {
        let clip = try Fixtures.realClip()
        let command = "\(try Fixtures.handmeshBinary()) run --input \(clip) --output ndjson:/dev/null"
        let result = try runTool("/usr/bin/script", ["-qec", command, "/dev/null"], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stdout + result.stderr)
        XCTAssertTrue(result.stdout.contains("ETA "), "the bar says how long is left")
        let summary = result.stdout.split(separator: "\n").last { $0.contains("frames in") }
        XCTAssertNotNil(summary, result.stdout.suffix(300).description)
        XCTAssertTrue(summary?.contains("main: 378 frames in") == true, String(summary ?? ""))
    }
}
