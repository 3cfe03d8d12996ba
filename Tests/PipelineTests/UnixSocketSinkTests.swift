import Foundation
import Logging
import Records
import Sinks
import XCTest

final class UnixSocketSinkTests: XCTestCase {
    private let logger = Logger(label: "test")

    private func line(_ kind: RecordKind, _ n: Int, stream: String = "s", padding: Int = 0) -> [UInt8] {
        Array("{\"type\":\"\(kind.rawValue)\",\"stream\":\"\(stream)\",\"n\":\(n),\"pad\":\"\(String(repeating: "x", count: padding))\"}\n".utf8)
    }

    func testAFastClientGetsEverythingWhileASlowOneIsDisconnected() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("s.sock")
        var options = SinkOptions()
        options.clientBufferBytes = 256 * 1024
        options.closeGraceSeconds = 0.2
        let sink = try UnixSocketSink(path: path, options: options, logger: logger)
        let fast = try TestSocketClient(path: path)
        let slow = try TestSocketClient(path: path, receiveBuffer: 4096)
        XCTAssertTrue(eventually(timeout: 5) { sink.connectedClients == 2 })

        let count = 4000
        let reader = DispatchQueue(label: "fast reader")
        let gathered = DispatchSemaphore(value: 0)
        let box = LinesBox()
        reader.async {
            box.lines = fast.readLines(timeout: 30) { $0.count >= count + 1 }
            gathered.signal()
        }
        let started = Date()
        sink.write(line(.header, -1), kind: .header, stream: "s")
        for n in 0..<count {
            sink.write(line(.frame, n, padding: 1000), kind: .frame, stream: "s")
            // About 25 MB/s, like a busy pipeline: a reading client keeps up, one that reads
            // nothing overflows its 256 KiB allowance within a fraction of a second.
            if n % 50 == 49 { usleep(2_000) }
        }
        // 4 MB went to a client that reads nothing; the writer must not have waited for it.
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
        XCTAssertEqual(gathered.wait(timeout: .now() + 30), .success)
        let fastLines = box.lines
        XCTAssertEqual(fastLines.count, count + 1)
        XCTAssertTrue(fastLines[0].contains("\"n\":-1"))
        for (i, text) in fastLines.dropFirst().enumerated() {
            XCTAssertTrue(text.hasPrefix("{\"type\":\"frame\",\"stream\":\"s\",\"n\":\(i),"), "line \(i) out of order or damaged")
        }
        XCTAssertEqual(sink.counts.slowDisconnects, 1)
        XCTAssertEqual(sink.connectedClients, 1)
        // The slow client, reading at last, finds the connection closed after what it was sent.
        let slowLines = slow.readLines(timeout: 10) { _ in false }
        XCTAssertTrue(slow.sawEndOfStream)
        XCTAssertLessThan(slowLines.count, count)
        sink.close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "close removes the socket file")
    }

    func testALateClientGetsTheHeaderOfEachRunningStreamFirst() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("s.sock")
        let sink = try UnixSocketSink(path: path, options: SinkOptions(), logger: logger)
        defer { sink.close() }
        sink.write(line(.header, 0, stream: "a"), kind: .header, stream: "a")
        sink.write(line(.header, 0, stream: "b"), kind: .header, stream: "b")
        sink.write(line(.frame, 1, stream: "a"), kind: .frame, stream: "a")
        sink.write(line(.end, 2, stream: "b"), kind: .end, stream: "b")
        let client = try TestSocketClient(path: path)
        XCTAssertTrue(eventually(timeout: 5) { sink.connectedClients == 1 })
        sink.write(line(.frame, 3, stream: "a"), kind: .frame, stream: "a")
        let lines = client.readLines(timeout: 5) { $0.count >= 2 }
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[0].hasPrefix("{\"type\":\"header\",\"stream\":\"a\""), "only the still-running stream's header: \(lines)")
        XCTAssertTrue(lines[1].contains("\"n\":3"))
    }

    func testAHangUpIsNoticedAndCounted() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("s.sock")
        let sink = try UnixSocketSink(path: path, options: SinkOptions(), logger: logger)
        defer { sink.close() }
        var client: TestSocketClient? = try TestSocketClient(path: path)
        XCTAssertTrue(eventually(timeout: 5) { sink.connectedClients == 1 })
        _ = client
        client = nil
        XCTAssertTrue(eventually(timeout: 5) { sink.connectedClients == 0 })
        sink.write(line(.frame, 1), kind: .frame, stream: "s")
        XCTAssertEqual(sink.counts.hangups, 1)
        XCTAssertEqual(sink.counts.slowDisconnects, 0)
    }

    func testTheSocketFileGetsTheConfiguredMode() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("s.sock")
        var options = SinkOptions()
        options.socketMode = 0o600
        let sink = try UnixSocketSink(path: path, options: options, logger: logger)
        defer { sink.close() }
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual(SinkOptions().socketMode, 0o660)
    }

    func testAStaleSocketIsReplacedButALiveOneOrAFileIsNot() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("s.sock")
        // A socket file left behind by a server that died: bound, never closed by unlink.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0)
        close(stale)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))

        let sink = try UnixSocketSink(path: path, options: SinkOptions(), logger: logger)
        let client = try TestSocketClient(path: path)
        XCTAssertTrue(eventually(timeout: 5) { sink.connectedClients == 1 })
        sink.write(line(.frame, 7), kind: .frame, stream: "s")
        XCTAssertEqual(client.readLines(timeout: 5) { !$0.isEmpty }.first.map { $0.contains("\"n\":7") }, true)

        XCTAssertThrowsError(try UnixSocketSink(path: path, options: SinkOptions(), logger: logger)) { error in
            XCTAssertEqual("\(error)", "output unix:\(path): another server is listening on this socket")
        }
        sink.close()

        let plain = directory.file("plain")
        try "precious".write(toFile: plain, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try UnixSocketSink(path: plain, options: SinkOptions(), logger: logger)) { error in
            XCTAssertTrue("\(error)".contains("exists and is not a socket"))
        }
        XCTAssertEqual(try String(contentsOfFile: plain, encoding: .utf8), "precious")
    }
}

/// Hands the reader thread's lines to the test once the semaphore says it is done.
private final class LinesBox: @unchecked Sendable {
    var lines: [String] = []
}
