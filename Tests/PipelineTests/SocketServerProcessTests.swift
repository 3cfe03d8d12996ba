import Foundation
import XCTest

/// `handmesh run --output unix:PATH` as a real process: the socket's mode from its first moment,
/// and what happens when clients outnumber file descriptors.
final class SocketServerProcessTests: XCTestCase {
    /// Under umask 0 a bound socket is 0777 until chmod; nobody may ever see it so. The process
    /// runs under strace with every chmod held back 0.3 s, so that a window between bind and
    /// chmod, microseconds long on its own, shows every time.
    func testTheSocketNeverExistsWithAModeOtherThanTheConfigured() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else {
            throw MissingTestInput("strace is not installed (apt-get install strace)")
        }
        let directory = try TemporaryDirectory()
        let binary = try Fixtures.handmeshBinary()
        for start in 0..<5 {
            let path = directory.file("s\(start).sock")
            let seen = ModeLog()
            let watching = DispatchSemaphore(value: 0)
            // A tight lstat loop from before the process starts until well after the socket is up.
            Thread.detachNewThread {
                var info = stat()
                var appeared: Date?
                while appeared.map({ Date().timeIntervalSince($0) < 1 }) ?? !seen.stopped {
                    if lstat(path, &info) == 0 {
                        seen.add(info.st_mode & 0o7777)
                        if appeared == nil { appeared = Date() }
                    }
                }
                watching.signal()
            }
            let child = try Child("/bin/sh", ["-c", "umask 0; exec strace -f -o /dev/null -e trace=chmod,fchmodat -e inject=chmod,fchmodat:delay_enter=300000 \"$0\" run --input lavfi:testsrc2=size=160x120:rate=30 --realtime --output unix:\"$1\"",
                                              binary, path])
            XCTAssertTrue(eventually(timeout: 60) { FileManager.default.fileExists(atPath: path) }, child.stderr)
            XCTAssertEqual(watching.wait(timeout: .now() + 60), .success)
            seen.stop()
            // strace's child is handmesh: stop it, and strace ends with it.
            let children = (try? String(contentsOfFile: "/proc/\(child.pid)/task/\(child.pid)/children", encoding: .utf8)) ?? ""
            children.split(separator: " ").compactMap { Int32($0) }.forEach { kill($0, SIGTERM) }
            XCTAssertTrue(child.waitForExit(timeout: 30))
            XCTAssertEqual(seen.modes, [0o660], "start \(start): modes seen \(seen.modes.map { String($0, radix: 8) })")
        }
    }

    /// 80 clients against 40 descriptors (more would fill the listen backlog and block in connect): a few log lines, not a flood; the first client keeps
    /// getting records; SIGTERM still drains.
    func testRunningOutOfDescriptorsIsLoggedOnceAndServingGoesOn() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("s.sock")
        let child = try Child("/bin/sh", ["-c", "ulimit -n 40; exec \"$0\" run --input lavfi:testsrc2=size=160x120:rate=30 --realtime --output unix:\"$1\" --log-level warning",
                                          try Fixtures.handmeshBinary(), path])
        XCTAssertTrue(eventually(timeout: 30) { FileManager.default.fileExists(atPath: path) }, child.stderr)
        let first = try TestSocketClient(path: path)
        XCTAssertFalse(first.readLines(timeout: 10) { $0.count >= 3 }.isEmpty)
        var others: [TestSocketClient] = []
        for _ in 0..<80 {
            others.append(try TestSocketClient(path: path))
        }
        // Time for a flood to show: 50,000 lines a second before the fix.
        let lines = first.readLines(timeout: 3) { _ in false }
        XCTAssertGreaterThan(lines.filter { $0.contains("\"type\":\"frame\"") }.count, 30, "the first client is still served")
        let stderr = child.stderr
        XCTAssertLessThanOrEqual(stderr.split(separator: "\n").count, 3, String(stderr.prefix(2000)))
        XCTAssertTrue(stderr.contains("accept failed: Too many open files; pausing accepts"), String(stderr.prefix(2000)))
        others.removeAll()
        child.send(SIGTERM)
        XCTAssertTrue(child.waitForExit(timeout: 30), "still responsive")
        XCTAssertEqual(child.status, 0, String(child.stderr.prefix(2000)))
    }

    /// Beyond max_clients, a client is closed as it connects, without a word to it.
    func testClientsBeyondMaxClientsAreClosedOnArrival() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("s.sock"), config = directory.file("c.toml")
        try "[defaults]\nmax_clients = 2\n".write(toFile: config, atomically: true, encoding: .utf8)
        let child = try Child(try Fixtures.handmeshBinary(),
                              ["run", "--config", config, "--input", "lavfi:testsrc2=size=160x120:rate=30", "--realtime",
                               "--output", "unix:\(path)", "--log-level", "warning"])
        XCTAssertTrue(eventually(timeout: 30) { FileManager.default.fileExists(atPath: path) }, child.stderr)
        let clients = try (0..<4).map { _ in try TestSocketClient(path: path) }
        for (i, client) in clients.enumerated() {
            let lines = client.readLines(timeout: 5) { $0.count >= 2 }
            if i < 2 {
                XCTAssertEqual(lines.first.map { $0.contains("\"type\":\"header\"") }, true, "client \(i)")
            } else {
                XCTAssertEqual(lines, [], "client \(i)")
                XCTAssertTrue(client.sawEndOfStream, "client \(i) is closed")
            }
        }
        child.send(SIGTERM)
        XCTAssertTrue(child.waitForExit(timeout: 30))
        XCTAssertEqual(child.status, 0, child.stderr)
        XCTAssertEqual(child.stderr.split(separator: "\n").count, 1, child.stderr)
        XCTAssertTrue(child.stderr.contains("2 clients connected (max_clients); refusing more"), child.stderr)
    }
}

/// The modes a watching thread saw, read by the test's thread.
private final class ModeLog: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [mode_t] = []
    private var done = false

    func add(_ mode: mode_t) {
        lock.lock()
        if !seen.contains(mode) { seen.append(mode) }
        lock.unlock()
    }

    var modes: [mode_t] {
        lock.lock()
        defer { lock.unlock() }
        return seen
    }

    func stop() {
        lock.lock()
        done = true
        lock.unlock()
    }

    var stopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return done
    }
}
