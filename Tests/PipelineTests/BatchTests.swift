import Batch
import Configuration
import Foundation
import XCTest

/// `handmesh batch`: the manifest, job names and indices, and a rerun that skips what finished.
final class BatchTests: XCTestCase {
    func testManifestLinesBecomeNamedJobsInOrder() throws {
        let manifest = try BatchManifest(text: """
        # cameras of day 1
        a.mp4

        /data/b.mkv
        {"input": "c.mp4", "name": "cee", "max_hands": 1, "camera": {"fx": 900, "fy": 900, "cx": 640, "cy": 360}, "mirrored": true}
        """, path: "/corpus/list.txt")
        XCTAssertEqual(manifest.jobs.map(\.name), ["a", "b", "cee"])
        XCTAssertEqual(manifest.jobs.map(\.index), [0, 1, 2])
        XCTAssertEqual(manifest.jobs.map(\.line), [2, 4, 5])
        XCTAssertEqual(manifest.jobs.map(\.input), ["/corpus/a.mp4", "/data/b.mkv", "/corpus/c.mp4"])
        let settings = try manifest.jobs[2].settings(over: StreamSettings(), manifest: manifest.path)
        XCTAssertEqual(settings.maxHands, 1)
        XCTAssertEqual(settings.mirrored, true)
        XCTAssertEqual(settings.camera, CameraSettings(fx: 900, fy: 900, cx: 640, cy: 360))
        XCTAssertEqual(try manifest.jobs[0].settings(over: StreamSettings(), manifest: manifest.path), StreamSettings())
    }

    func testABadLineIsNamedByItsNumber() {
        let cases: [(String, String)] = [
            ("a.mp4\n{\"input\": 5}\n", "m.txt line 2: no \"input\""),
            ("a.mp4\n{not json\n", "m.txt line 2: not a JSON object"),
            ("x/a.mp4\ny/a.mp4\n", "m.txt line 2: the job name \"a\" is already that of line 1"),
            ("{\"input\": \"a.mp4\", \"name\": \"../up\"}\n", "m.txt line 1: the job name \"../up\" is not"),
            ("{\"input\": \"a.mp4\", \"max_hands\": null}\n", "m.txt line 1: \"max_hands\": null"),
            ("# nothing\n\n", "m.txt: no videos in it"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try BatchManifest(text: text, path: "m.txt"), text) { error in
                XCTAssertTrue("\(error)".hasPrefix("manifest \(message)"), "\(error)")
            }
        }
        XCTAssertThrowsError(try BatchManifest(text: "{\"input\": \"a.mp4\", \"max_hands\": 99}\n", path: "m.txt").jobs[0]
            .settings(over: StreamSettings(), manifest: "m.txt")) { error in
            XCTAssertEqual("\(error)", "m.txt line 1: max_hands: expected an integer from 1 to 8, got 99")
        }
    }

    func testTheTaskIndexComesFromTheFlagThenSlurmThenKubernetes() throws {
        XCTAssertEqual(try BatchIndex.resolve(explicit: 3, environment: ["SLURM_ARRAY_TASK_ID": "5"]), 3)
        XCTAssertEqual(try BatchIndex.resolve(explicit: nil, environment: ["SLURM_ARRAY_TASK_ID": "5", "JOB_COMPLETION_INDEX": "7"]), 5)
        XCTAssertEqual(try BatchIndex.resolve(explicit: nil, environment: ["JOB_COMPLETION_INDEX": "7"]), 7)
        XCTAssertNil(try BatchIndex.resolve(explicit: nil, environment: [:]))
        XCTAssertThrowsError(try BatchIndex.resolve(explicit: nil, environment: ["SLURM_ARRAY_TASK_ID": "x"]))
        XCTAssertEqual(BatchOutcome.overall([.done, .damaged, .done]).exitStatus, 3)
        XCTAssertEqual(BatchOutcome.overall([.damaged, .failed]).exitStatus, 2)
        XCTAssertEqual(BatchOutcome.overall([]).exitStatus, 0)
    }

    private func summaries(_ stdout: String) -> [[String: Any]] {
        parseRecords(stdout)
    }

    func testARerunSkipsFinishedVideosAndRedoesTheRest() throws {
        let binary = try Fixtures.handmeshBinary()
        let dir = try TemporaryDirectory()
        try Fixtures.makeClip(at: dir.file("a.mp4"), seconds: 1)
        try Fixtures.makeClip(at: dir.file("b.mp4"), seconds: 1)
        try Fixtures.corrupt(dir.file("b.mp4"), into: dir.file("c.mp4"))
        try "a.mp4\nb.mp4\nc.mp4\nmissing.mp4\n".write(toFile: dir.file("list.txt"), atomically: true, encoding: .utf8)
        let out = dir.file("out")

        let count = try runTool(binary, ["batch", dir.file("list.txt"), "--out", out, "--count"], timeout: 30)
        XCTAssertEqual(count.stdout, "4\n")

        let first = try runTool(binary, ["batch", dir.file("list.txt"), "--out", out], timeout: 300)
        XCTAssertEqual(first.status, 2, "a job failed (missing.mp4): \(first.stderr)")
        let lines = summaries(first.stdout)
        XCTAssertEqual(lines.map { $0["status"] as? String }, ["done", "done", "damaged", "failed"], first.stdout)
        XCTAssertEqual(lines[0]["processed"] as? Int, 30)
        XCTAssertTrue((lines[3]["detail"] as? String ?? "").contains("missing.mp4"), first.stdout)
        let records = parseRecords(try String(contentsOfFile: "\(out)/a.ndjson", encoding: .utf8))
        XCTAssertEqual(records.first?["type"] as? String, "header")
        XCTAssertEqual(records.last?["type"] as? String, "end")
        XCTAssertEqual(records.first?["stream"] as? String, "a", "each job's stream is named after it")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(out)/missing.ndjson"))

        // b is unfinished as if its task had been killed: a partial file, no summary.
        try FileManager.default.removeItem(atPath: "\(out)/b.ndjson")
        try FileManager.default.removeItem(atPath: "\(out)/b.summary.json")
        try "{\"type\":\"header\"".write(toFile: "\(out)/.b.ndjson.partial", atomically: true, encoding: .utf8)
        let second = try runTool(binary, ["batch", dir.file("list.txt"), "--out", out], timeout: 300)
        let again = summaries(second.stdout)
        XCTAssertEqual(again.map { $0["skipped"] as? Bool ?? false }, [true, false, true, false], second.stdout)
        XCTAssertEqual(again.map { $0["status"] as? String }, ["done", "done", "damaged", "failed"])
        XCTAssertEqual(second.status, 2)
        XCTAssertEqual(parseRecords(try String(contentsOfFile: "\(out)/b.ndjson", encoding: .utf8)).count, 32)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(out)/.b.ndjson.partial"))

        // One task per index, as a Slurm array task or a Kubernetes Indexed Job's pod runs it.
        try FileManager.default.removeItem(atPath: "\(out)/a.summary.json")
        let task = try runTool(binary, ["batch", dir.file("list.txt"), "--out", out], environment: ["SLURM_ARRAY_TASK_ID": "0"], timeout: 120)
        XCTAssertEqual(task.status, 0, task.stderr)
        XCTAssertEqual(summaries(task.stdout).map { $0["job"] as? String }, ["a"])
        XCTAssertEqual(summaries(task.stdout).first?["skipped"] as? Bool, nil, "its summary was gone, so it ran again")
        let damaged = try runTool(binary, ["batch", dir.file("list.txt"), "--out", out, "--index", "2"], timeout: 120)
        XCTAssertEqual(damaged.status, 3, "a finished but damaged video: \(damaged.stdout)")
        let beyond = try runTool(binary, ["batch", dir.file("list.txt"), "--out", out], environment: ["JOB_COMPLETION_INDEX": "4"], timeout: 60)
        XCTAssertEqual(beyond.status, 1)
        XCTAssertTrue(beyond.stderr.contains("job index 4: the manifest"), beyond.stderr)
    }
}
