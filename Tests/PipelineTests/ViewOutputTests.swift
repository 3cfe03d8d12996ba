import Foundation
import Sinks
import XCTest

/// `--output view:HOST:PORT` (issue 17): the page loads in headless Chromium (Debian's `chromium`),
/// connects, and draws the fitted mesh where the hand is; the pipeline's cost for it stays small.
final class ViewOutputTests: XCTestCase {
    func testViewOutputsParse() throws {
        XCTAssertEqual(try SinkSpec(parsing: "view:8080"), .view(host: "127.0.0.1", port: 8080))
        XCTAssertEqual(try SinkSpec(parsing: "view:0.0.0.0:9000"), .view(host: "0.0.0.0", port: 9000))
        for bad in ["view:", "view:http", "view:1:70000", "view::80", "view:a b:80"] {
            XCTAssertThrowsError(try SinkSpec(parsing: bad), bad) { error in
                XCTAssertTrue("\(error)".hasPrefix("output \(bad): "), "\(error)")
            }
        }
    }

    private static func chromium() throws -> String {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw MissingTestInput("chromium is not installed (scripts/install-system-packages installs Debian's chromium)")
    }

    /// A synthetic clip (the hand in every frame) in `directory`.
    private static func synthClip(in directory: TemporaryDirectory, frames: Int, size: String, seed: Int) throws -> String {
        let clip = directory.file("s.mp4")
        let synth = try runTool(try Fixtures.handmeshBinary(), ["synth", "--out", clip, "--truth", directory.file("t.ndjson"),
                                                                "--frames", String(frames), "--size", size, "--seed", String(seed)],
                                timeout: 120)
        guard synth.status == 0 else { throw TestFailure("handmesh synth: \(synth.stderr)") }
        return clip
    }

    private static func freePort() -> Int {
        // The run binds it a moment later; a port in the dynamic range taken from the clock rarely collides.
        Int(20000 + (UInt64(Date().timeIntervalSince1970 * 1000) % 20000))
    }

    func testThePageDrawsTheMeshWhereTheHandIs() throws {
        let browser = try Self.chromium()
        let binary = try Fixtures.handmeshBinary()
        let directory = try TemporaryDirectory()
        let clip = try Self.synthClip(in: directory, frames: 360, size: "480x360", seed: 2), recordsPath = directory.file("s.ndjson")
        let port = Self.freePort()
        // Paced as live (12 s), so that the page joins while frames still come, however slowly the
        // browser starts on a loaded machine; the hand is in every frame.
        let run = try Child(binary, ["run", "--realtime", "--input", clip, "--output", "ndjson:\(recordsPath)",
                                     "--output", "view:127.0.0.1:\(port)", "--log-level", "info"])
        XCTAssertTrue(eventually(timeout: 60) { run.stderr.contains("view on http://127.0.0.1:\(port)/") }, run.stderr)
        // Headless Chromium's virtual time runs the page for a moment, then the DOM says what it
        // drew; that moment is short in real time, so a page that drew nothing yet is loaded again
        // while the run goes on.
        var dom = "", log = ""
        func attribute(_ name: String) -> String? {
            guard let range = dom.range(of: "\(name)=\"") else { return nil }
            return String(dom[range.upperBound...].prefix { $0 != "\"" })
        }
        for _ in 0..<5 {
            let page = try runTool(browser, ["--headless=new", "--no-sandbox", "--disable-gpu", "--use-angle=swiftshader",
                                             "--enable-unsafe-swiftshader", "--virtual-time-budget=5000", "--dump-dom",
                                             "http://127.0.0.1:\(port)/"], timeout: 120)
            (dom, log) = (page.stdout, String(page.stderr.suffix(2000)))
            if attribute("data-mesh-box") != nil || !run.process.isRunning { break }
        }
        XCTAssertTrue(run.waitForExit(timeout: 60))
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(attribute("data-connected").map { !$0.isEmpty }, true, "the page connected")
        XCTAssertGreaterThan(Int(attribute("data-frames") ?? "") ?? 0, 0, String(dom.prefix(2000)) + log)
        let box = try XCTUnwrap(attribute("data-mesh-box"), "no frame was drawn with a mesh").split(separator: ",").compactMap { Double($0) }
        let index = try XCTUnwrap(Int(attribute("data-mesh-index") ?? ""))
        XCTAssertEqual(box.count, 5)
        XCTAssertGreaterThan(box[4], 200, "mesh-coloured pixels on the canvas")
        // The run's own record of that frame: its fitted joints in the picture.
        let frame = try XCTUnwrap(records(parseRecords(try String(contentsOfFile: recordsPath, encoding: .utf8)), ofType: "frame")
            .first { $0["index"] as? Int == index })
        // Every hand of that frame: the page paints them all.
        let hands = try XCTUnwrap(frame["hands"] as? [[String: Any]])
        let joints = hands.flatMap { ($0["joints2d"] as? [[Double]]) ?? [] }
        XCTAssertFalse(joints.isEmpty)
        let xs = joints.map { $0[0] }, ys = joints.map { $0[1] }
        let seen = "mesh pixels \(box) at frame \(index) with \(hands.count) hand(s); joints within x \(xs.min()!)...\(xs.max()!), y \(ys.min()!)...\(ys.max()!)"
        let centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        XCTAssertTrue(centre.0 > xs.min()! && centre.0 < xs.max()! && centre.1 > ys.min()! && centre.1 < ys.max()!, seen)
        // The box of the mesh covers the joints' and is not much larger. Seen edge-on, the joints
        // span little in one direction while the palm's width still shows, so both sides are
        // bounded by the hand's larger extent.
        XCTAssertLessThan(box[0], xs.min()! + 5, seen)
        XCTAssertGreaterThan(box[2], xs.max()! - 5, seen)
        XCTAssertLessThan(box[1], ys.min()! + 5, seen)
        XCTAssertGreaterThan(box[3], ys.max()! - 5, seen)
        let extent = max(xs.max()! - xs.min()!, ys.max()! - ys.min()!)
        XCTAssertLessThan(box[2] - box[0], 1.6 * extent + 10, seen)
        XCTAssertLessThan(box[3] - box[1], 1.6 * extent + 10, seen)
        // The view's stage costs the pipeline a copy: well under a millisecond a frame.
        let costs = records(parseRecords(try String(contentsOfFile: recordsPath, encoding: .utf8)), ofType: "frame")
            .compactMap { ($0["stage_ms"] as? [String: Double])?["view"] }.sorted()
        XCTAssertFalse(costs.isEmpty)
        XCTAssertLessThan(costs[costs.count / 2], 1.0, "median view cost in ms")
    }

    /// A browser that connects and then never reads nor draws gets one frame and no more: the
    /// pipeline goes on at its own pace.
    func testABrowserThatNeverReadsDoesNotSlowThePipeline() throws {
        let binary = try Fixtures.handmeshBinary()
        let directory = try TemporaryDirectory()
        let clip = try Self.synthClip(in: directory, frames: 150, size: "320x240", seed: 1), recordsPath = directory.file("s.ndjson")
        let port = Self.freePort() + 1
        let run = try Child(binary, ["run", "--realtime", "--input", clip, "--output", "ndjson:\(recordsPath)",
                                     "--output", "view:\(port)", "--log-level", "info"])
        XCTAssertTrue(eventually(timeout: 60) { run.stderr.contains("view on http://127.0.0.1:\(port)/") }, run.stderr)
        let socket = try Self.openWebSocket(port: port)
        defer { close(socket) }
        XCTAssertTrue(run.waitForExit(timeout: 60))
        XCTAssertEqual(run.status, 0, run.stderr)
        let frames = records(parseRecords(try String(contentsOfFile: recordsPath, encoding: .utf8)), ofType: "frame")
        let end = try XCTUnwrap(records(parseRecords(try String(contentsOfFile: recordsPath, encoding: .utf8)), ofType: "end").first)
        XCTAssertEqual(end["decoded"] as? Int, 150)
        XCTAssertGreaterThan(frames.count, 140, "frames dropped at the entrance: the pipeline was held up")
        let costs = frames.compactMap { ($0["stage_ms"] as? [String: Double])?["view"] }.sorted()
        XCTAssertLessThan(costs[costs.count / 2], 1.0, "median view cost in ms")
    }

    /// Under `serve`, each stream's config may name a view of its own; both serve the page and
    /// stream their own frames. Two streams on one port is a one-line error before anything runs.
    func testServeGivesEachStreamItsView() throws {
        let directory = try TemporaryDirectory()
        let clip = try Self.synthClip(in: directory, frames: 150, size: "320x240", seed: 1)
        let ports = (Self.freePort() + 2, Self.freePort() + 3)
        let config = directory.file("serve.toml")
        func write(_ second: Int) throws {
            try """
            log_level = "info"
            [[streams]]
            name = "left-desk"
            input = "\(clip)"
            realtime = true
            outputs = ["ndjson:\(directory.file("a.ndjson"))", "view:127.0.0.1:\(ports.0)"]
            [[streams]]
            name = "right-desk"
            input = "\(clip)"
            realtime = true
            outputs = ["ndjson:\(directory.file("b.ndjson"))", "view:\(second)"]
            """.write(toFile: config, atomically: true, encoding: .utf8)
        }
        try write(ports.0)
        let clash = try runTool(try Fixtures.handmeshBinary(), ["serve", "--config", config], timeout: 60)
        XCTAssertNotEqual(clash.status, 0)
        XCTAssertTrue(clash.stderr.contains("port \(ports.0) is stream left-desk's view"), clash.stderr)
        XCTAssertEqual(clash.stderr.split(separator: "\n").filter { !$0.contains(" info ") && !$0.contains(" notice ") }.count, 1, clash.stderr)

        try write(ports.1)
        let serve = try Child(try Fixtures.handmeshBinary(), ["serve", "--config", config])
        for port in [ports.0, ports.1] {
            XCTAssertTrue(eventually(timeout: 60) { serve.stderr.contains("view on http://127.0.0.1:\(port)/") }, serve.stderr)
        }
        for (port, stream) in [(ports.0, "left-desk"), (ports.1, "right-desk")] {
            let message = try Self.firstViewMessage(port: port)
            XCTAssertTrue(message.contains("\"stream\":\"\(stream)\""), String(message.prefix(200)))
            XCTAssertTrue(message.contains("\"vertices\":["), String(message.prefix(200)))
        }
        XCTAssertTrue(serve.waitForExit(timeout: 60), serve.stderr)
        XCTAssertEqual(serve.status, 0, serve.stderr)
        for name in ["a", "b"] {
            let frames = records(parseRecords(try String(contentsOfFile: directory.file("\(name).ndjson"), encoding: .utf8)), ofType: "frame")
            XCTAssertGreaterThan(frames.count, 140)
        }
    }

    /// The text of the first view message a raw WebSocket client gets from the view on `port`.
    private static func firstViewMessage(port: Int) throws -> String {
        let socket = try openWebSocket(port: port)
        defer { close(socket) }
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let marker = Array(#"{"type":"view""#.utf8)
        while received.count < 4 << 20 {
            let n = recv(socket, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            received += buffer[0..<n]
            if let start = Self.find(marker, in: received), received[start...].contains(UInt8(ascii: "]")) {
                return String(decoding: received[start...], as: UTF8.self)
            }
        }
        throw TestFailure("no view message from port \(port) (\(received.count) bytes)")
    }

    /// A TCP connection to the view on `port` that has asked for the WebSocket upgrade.
    private static func openWebSocket(port: Int) throws -> Int32 {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let request = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        guard connected == 0, request.withCString({ send(socket, $0, strlen($0), 0) }) == request.utf8.count else {
            close(socket)
            throw TestFailure("cannot open a WebSocket to the view on port \(port)")
        }
        return socket
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] && Array(haystack[i..<(i + needle.count)]) == needle { return i }
        return nil
    }
}
