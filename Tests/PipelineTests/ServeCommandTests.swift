import Foundation
import Pipeline
import XCTest

/// `handmesh serve` as a child process, under a fake systemd.
final class ServeCommandTests: XCTestCase {
    func testServeNotifiesSystemdServesClientsRetriesAFailingStreamAndDrainsOnSIGTERM() throws {
        let directory = try TemporaryDirectory()
        let socket = directory.file("good.sock")
        let log = directory.file("good.ndjson")
        let config = directory.file("serve.toml")
        try """
        log_level = "info"
        [defaults.reconnect]
        initial_delay = 0.2
        max_delay = 0.4
        [[streams]]
        name = "good"
        input = "lavfi:testsrc2=size=160x120:rate=30"
        realtime = true
        outputs = ["unix:\(socket)", "ndjson:\(log)"]
        socket_mode = "0600"
        [[streams]]
        name = "broken"
        input = "\(directory.file("appears-later.mp4"))"
        outputs = ["ndjson:\(directory.file("broken.ndjson"))"]
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let notify = try FakeNotifySocket()
        let child = try Child(try Fixtures.handmeshBinary(), ["serve", "--config", config],
                              environment: ["NOTIFY_SOCKET": notify.name, "WATCHDOG_USEC": "400000"])

        let ready = notify.waitFor(timeout: 30) { $0.contains("READY=1") }
        XCTAssertNotNil(ready, "no READY=1: \(child.stderr)")
        XCTAssertTrue(ready?.contains("STATUS=") == true)
        XCTAssertNotNil(notify.waitFor(timeout: 5) { $0 == "WATCHDOG=1" }, "WATCHDOG=1 every WatchdogSec/2")

        let attributes = try FileManager.default.attributesOfItem(atPath: socket)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let client = try TestSocketClient(path: socket)
        let lines = client.readLines(timeout: 10) { $0.count >= 10 }
        XCTAssertGreaterThanOrEqual(lines.count, 10)
        XCTAssertTrue(lines.first?.hasPrefix("{\"type\":\"header\",\"stream\":\"good\"") == true, "header first: \(lines.first ?? "")")
        XCTAssertTrue(lines.dropFirst().allSatisfy { $0.hasPrefix("{\"type\":\"frame\"") || $0.hasPrefix("{\"type\":\"dropped\"") })

        // The broken stream is retried with backoff while the good one keeps going.
        XCTAssertTrue(eventually(timeout: 10) { child.stderr.components(separatedBy: "stream broken:").count > 3 }, child.stderr)
        XCTAssertTrue(child.stderr.contains("retrying in"))
        let moreLines = client.readLines(timeout: 5) { $0.count >= 10 }
        XCTAssertGreaterThanOrEqual(moreLines.count, 10, "the good stream was not disturbed")
        XCTAssertTrue(notify.messages.contains { $0.contains("STATUS=1/2 streams running") && $0.contains("retrying broken") }
                      || notify.waitFor(timeout: 6) { $0.contains("retrying broken") } != nil)

        child.send(SIGTERM)
        XCTAssertNotNil(notify.waitFor(timeout: 10) { $0.contains("STOPPING=1") })
        XCTAssertTrue(child.waitForExit(timeout: 20))
        XCTAssertEqual(child.status, 0, child.stderr)
        let tail = client.readLines(timeout: 5) { $0.last?.hasPrefix("{\"type\":\"end\"") == true }
        XCTAssertTrue(tail.last?.contains("\"reason\":\"stopped\"") == true, "the client receives the end record: \(tail.last ?? "")")
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket), "the socket file is removed on exit")
        let written = parseRecords(try String(contentsOfFile: log, encoding: .utf8))
        XCTAssertEqual(written.last?["type"] as? String, "end")
        XCTAssertEqual(try schemaErrors(ofLinesIn: log), [])
    }

    func testServeRejectsABadConfigWithOneLine() throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("bad.toml")
        try "[[streams]]\nname = \"a\"\ninput = \"x\"\nmax_hands = 99\n".write(toFile: config, atomically: true, encoding: .utf8)
        let result = try runTool(try Fixtures.handmeshBinary(), ["serve", "--config", config], timeout: 30)
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(result.stderr, "handmesh: error: \(config): streams[0].max_hands: expected an integer from 1 to 8, got 99\n")
    }

    func testTheNotifierWritesDatagramsToAPathSocketAndHalvesTheWatchdog() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("notify")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        XCTAssertEqual(withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }, 0)
        let notifier = ServiceNotifier(environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "3000000"])
        XCTAssertEqual(notifier.watchdogInterval, 1.5)
        notifier.ready(status: "two\nlines")
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        XCTAssertEqual(String(decoding: buffer[..<max(n, 0)], as: UTF8.self), "READY=1\nSTATUS=two lines")

        let silent = ServiceNotifier(environment: [:])
        XCTAssertFalse(silent.isActive)
        XCTAssertFalse(silent.send("READY=1"))
        XCTAssertNil(ServiceNotifier(environment: ["WATCHDOG_USEC": "1000", "WATCHDOG_PID": "1"]).watchdogInterval,
                     "a watchdog meant for another process is not ours")
    }

    /// Reliability (issue 19, item 2): corrupt models once gave READY=1 and WATCHDOG=1 forever with
    /// "0/2 streams running".
    func testModelsThatFailVerificationStopStartUpBeforeReady() throws {
        let directory = try TemporaryDirectory()
        let models = directory.file("models")
        try FileManager.default.createDirectory(atPath: models, withIntermediateDirectories: true)
        for name in ["palm_detection_full", "hand_landmark_full", "palm_detection_lite", "hand_landmark_lite"] {
            try Data(repeating: 7, count: 4096).write(to: URL(fileURLWithPath: "\(models)/\(name).tflite"))
        }
        let notify = try FakeNotifySocket()
        let child = try Child(try Fixtures.handmeshBinary(), ["serve", "--input", "lavfi:testsrc2=size=160x120:rate=30"],
                              environment: ["NOTIFY_SOCKET": notify.name, "WATCHDOG_USEC": "400000", "HANDMESH_MODELS": models])
        guard child.waitForExit(timeout: 30) else {
            child.kill()
            return XCTFail("serve with corrupt models must not keep running: \(child.stderr)")
        }
        XCTAssertEqual(child.status, 1, child.stderr)
        XCTAssertTrue(child.stderr.contains("palm_detection_full"), child.stderr)
        XCTAssertEqual(child.stderr.split(separator: "\n").count, 1, "one line: \(child.stderr)")
        XCTAssertNil(notify.waitFor(timeout: 0.5) { $0.contains("READY=1") || $0 == "WATCHDOG=1" }, "never ready, never fed")
    }

    /// Reliability (items 2 and 3): with every stream retrying, the watchdog stops being fed after
    /// --idle-limit; a stream that gives up (max_attempts) makes serve exit 3, not 0.
    func testIdleStreamsStarveTheWatchdogAndAStreamThatGivesUpExitsThree() throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("serve.toml")
        try """
        [defaults.reconnect]
        initial_delay = 0.2
        max_delay = 0.2
        [[streams]]
        name = "missing"
        input = "\(directory.file("never-there.mp4"))"
        outputs = ["ndjson:\(directory.file("missing.ndjson"))"]
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let notify = try FakeNotifySocket()
        let child = try Child(try Fixtures.handmeshBinary(), ["serve", "--config", config, "--idle-limit", "1"],
                              environment: ["NOTIFY_SOCKET": notify.name, "WATCHDOG_USEC": "1000000"])
        XCTAssertNotNil(notify.waitFor(timeout: 30) { $0.contains("READY=1") }, child.stderr)
        XCTAssertTrue(eventually(timeout: 10) { child.stderr.contains("no stream has run for over 1 s") }, child.stderr)
        _ = notify.waitFor(timeout: 0.5) { _ in false }  // what was sent before, still queued
        let fedBefore = notify.messages.filter { $0 == "WATCHDOG=1" }.count
        _ = notify.waitFor(timeout: 2) { _ in false }
        XCTAssertEqual(notify.messages.filter { $0 == "WATCHDOG=1" }.count, fedBefore, "not fed while nothing runs")
        XCTAssertEqual(child.stderr.components(separatedBy: "no stream has run").count, 2, "said once per episode")
        child.send(SIGTERM)
        XCTAssertTrue(child.waitForExit(timeout: 20))
        XCTAssertEqual(child.status, 0, "stopped while retrying is a stop, not a failure")

        let limited = directory.file("limited.toml")
        try """
        [defaults.reconnect]
        initial_delay = 0.1
        max_delay = 0.1
        max_attempts = 2
        [[streams]]
        name = "gives-up"
        input = "\(directory.file("never-there.mp4"))"
        outputs = ["ndjson:\(directory.file("gives-up.ndjson"))"]
        [[streams]]
        name = "fine"
        input = "lavfi:testsrc2=size=64x64:rate=30:duration=0.5"
        outputs = ["ndjson:\(directory.file("fine.ndjson"))"]
        """.write(toFile: limited, atomically: true, encoding: .utf8)
        let result = try runTool(try Fixtures.handmeshBinary(), ["serve", "--config", limited], timeout: 60)
        XCTAssertEqual(result.status, 3, result.stderr)
        XCTAssertTrue(result.stderr.contains("stream(s) gives-up gave up"), result.stderr)
    }

    /// Reliability (item 14): WATCHDOG_USEC=1 once sent 27,047 keep-alives in 3 s.
    func testAMicrosecondWatchdogIsClampedToTwiceASecond() throws {
        XCTAssertEqual(ServiceNotifier(environment: ["WATCHDOG_USEC": "1"]).watchdogInterval, ServiceNotifier.minimumWatchdogInterval)
        let notify = try FakeNotifySocket()
        let child = try Child(try Fixtures.handmeshBinary(), ["serve", "--input", "lavfi:testsrc2=size=64x64:rate=30", "--output",
                                                             "ndjson:/dev/null"],
                              environment: ["NOTIFY_SOCKET": notify.name, "WATCHDOG_USEC": "1"])
        XCTAssertNotNil(notify.waitFor(timeout: 30) { $0.contains("READY=1") }, child.stderr)
        _ = notify.waitFor(timeout: 3) { _ in false }
        child.send(SIGTERM)
        XCTAssertTrue(child.waitForExit(timeout: 20))
        XCTAssertLessThanOrEqual(notify.messages.filter { $0 == "WATCHDOG=1" }.count, 8, "at most twice a second")
    }
}
