import Configuration
import Foundation
import Logging
import Sinks
import XCTest

/// The config keys that bound what a socket server holds: a client's buffer and the client count.
final class SocketLimitConfigTests: XCTestCase {
    /// A frame record with vertices is about 22 KB a hand: a 4096-byte buffer would drop every
    /// client at the first hand.
    func testAClientBufferSmallerThanTheLongestRecordIsRefusedNamingTheFloor() {
        let cases: [(text: String, location: String, floor: Int)] = [
            ("[defaults]\nvertices = true\nclient_buffer_bytes = 4096\n", "defaults.client_buffer_bytes", 86016),
            ("[defaults]\nclient_buffer_bytes = 4096\n", "defaults.client_buffer_bytes", 20480),
            ("[defaults]\nclient_buffer_bytes = 40000\n[[streams]]\nname = \"a\"\ninput = \"x\"\nvertices = true\nmax_hands = 1\n",
             "streams[0].client_buffer_bytes", 47104),
        ]
        for (text, location, floor) in cases {
            XCTAssertThrowsError(try ConfigLoader.parse(text, file: "/etc/handmesh.toml"), text) { error in
                let line = "\(error)"
                XCTAssertTrue(line.hasPrefix("/etc/handmesh.toml: \(location): expected at least \(floor) bytes"), line)
                XCTAssertFalse(line.contains("\n"), line)
            }
        }
        XCTAssertEqual(try ConfigLoader.parse("[defaults]\nvertices = true\nclient_buffer_bytes = 86016\n", file: "t.toml")
            .defaults.clientBufferBytes, 86016)
    }

    func testTheFloorHoldsTheLongestRecordTheStreamCanWrite() {
        // 778 vertices of three numbers, each up to 12 characters with its separator, in rows.
        XCTAssertGreaterThan(RecordSizeBound.perHandVertices, 778 * (3 * 12 + 3))
        XCTAssertEqual(RecordSizeBound.largestFrameRecord(maxHands: 2, vertices: false), 20480)
    }

    func testMaxClientsIsReadAndValidated() throws {
        XCTAssertEqual(try ConfigLoader.parse("", file: "t.toml").defaults.maxClients, 64)
        XCTAssertEqual(try ConfigLoader.parse("[defaults]\nmax_clients = 3\n", file: "t.toml").defaults.maxClients, 3)
        for bad in ["0", "70000", "\"many\""] {
            XCTAssertThrowsError(try ConfigLoader.parse("[defaults]\nmax_clients = \(bad)\n", file: "t.toml")) { error in
                XCTAssertTrue("\(error)".hasPrefix("t.toml: defaults.max_clients: expected an integer from 1 to 65536"), "\(error)")
            }
        }
    }
}

/// The sink's side of the same rule: a client that has taken everything gets the next line whole,
/// however long, rather than being dropped for it.
final class LongRecordSocketTests: XCTestCase {
    func testACaughtUpClientGetsALineLongerThanItsBuffer() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("s.sock")
        var options = SinkOptions()
        options.clientBufferBytes = 4096
        let sink = try UnixSocketSink(path: path, options: options, logger: Logger(label: "test"))
        defer { sink.close() }
        let client = try TestSocketClient(path: path)
        XCTAssertTrue(eventually(timeout: 5) { sink.connectedClients == 1 })
        let long = "{\"type\":\"frame\",\"stream\":\"s\",\"pad\":\"\(String(repeating: "x", count: 20_000))\"}"
        sink.write(Array((long + "\n").utf8), kind: .frame, stream: "s")
        XCTAssertEqual(client.readLines(timeout: 10) { !$0.isEmpty }, [long])
        XCTAssertEqual(sink.counts.slowDisconnects, 0)
    }
}
