import Foundation
import Metrics
import XCTest

/// The Prometheus endpoint, scraped by real HTTP clients (curl, over a unix socket and loopback
/// TCP) while a run goes on.
final class MetricsEndpointTests: XCTestCase {
    private func scrape(_ arguments: [String]) throws -> ToolResult {
        try runTool("/usr/bin/curl", ["-sS", "--max-time", "5", "-D", "-"] + arguments, timeout: 10)
    }

    func testARunServesItsCountersHistogramsAndSinkStateOnAUnixSocket() throws {
        let broker = try MosquittoBroker()
        let dir = try TemporaryDirectory()
        try Fixtures.makeClip(at: dir.file("clip.mp4"), seconds: 4)
        let socket = dir.file("metrics.sock")
        let run = try Child(try Fixtures.handmeshBinary(), [
            "run", "--realtime", "--input", dir.file("clip.mp4"), "--metrics", "unix:\(socket)",
            "--output", "ndjson:\(dir.file("out.ndjson"))", "unix:\(dir.file("records.sock"))",
            "mqtt://127.0.0.1:\(broker.port)/hm/metrics",
        ])
        defer { run.kill() }
        XCTAssertTrue(eventually(timeout: 30) { FileManager.default.fileExists(atPath: socket) }, run.stderr)
        var text = ""
        XCTAssertTrue(eventually(timeout: 30) {
            text = (try? scrape(["--unix-socket", socket, "http://localhost/metrics"]).stdout) ?? ""
            return text.contains("handmesh_frames_processed_total{stream=\"main\"} 3")
        }, text)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK\r\n"), text)
        XCTAssertTrue(text.contains("Content-Type: text/plain; version=0.0.4"), text)
        for expected in [
            "# TYPE handmesh_frames_decoded_total counter", "handmesh_frames_dropped_total{stream=\"main\"} ",
            "# TYPE handmesh_stage_seconds histogram", "handmesh_stage_seconds_bucket{stream=\"main\",stage=\"evidence\",le=\"+Inf\"} ",
            "handmesh_hands_per_frame_count{stream=\"main\"} ", "handmesh_sink_clients{sink=\"unix:\(dir.file("records.sock"))\"} 0",
            "handmesh_sink_disconnects_total{sink=\"unix:\(dir.file("records.sock"))\",reason=\"slow\"} 0",
            "handmesh_mqtt_connected{sink=\"mqtt://127.0.0.1:\(broker.port)/hm/metrics\"} 1",
            "handmesh_mqtt_queue_depth{sink=", "handmesh_mqtt_reconnects_total{sink=", "handmesh_mqtt_dropped_total{sink=",
        ] {
            XCTAssertTrue(text.contains(expected), "missing \(expected) in\n\(text)")
        }
        let missing = try scrape(["--unix-socket", socket, "http://localhost/other"])
        XCTAssertTrue(missing.stdout.hasPrefix("HTTP/1.1 404"), missing.stdout)
        XCTAssertTrue(run.waitForExit(timeout: 60))
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket), "the endpoint's socket goes with the run")
    }

    func testLoopbackTCPIsServedAndPublicAddressesAreRefused() throws {
        let port = try freeLoopbackPort()
        let dir = try TemporaryDirectory()
        try Fixtures.makeClip(at: dir.file("clip.mp4"), seconds: 3)
        let run = try Child(try Fixtures.handmeshBinary(), [
            "run", "--realtime", "--input", dir.file("clip.mp4"), "--metrics", "127.0.0.1:\(port)",
            "--output", "ndjson:\(dir.file("out.ndjson"))",
        ])
        defer { run.kill() }
        var text = ""
        XCTAssertTrue(eventually(timeout: 30) {
            text = (try? scrape(["http://127.0.0.1:\(port)/metrics"]).stdout) ?? ""
            return text.contains("handmesh_frames_decoded_total{stream=\"main\"}")
        }, text + run.stderr)
        XCTAssertTrue(run.waitForExit(timeout: 60))

        let binary = try Fixtures.handmeshBinary()
        let publicAddress = try runTool(binary, ["run", "--input", dir.file("clip.mp4"), "--metrics", "0.0.0.0:9464"], timeout: 30)
        XCTAssertEqual(publicAddress.status, 1, publicAddress.stderr)
        XCTAssertTrue(publicAddress.stderr.contains("0.0.0.0 is not a loopback address"), publicAddress.stderr)
        try "metrics = \"192.168.1.5:9464\"\n".write(toFile: dir.file("c.toml"), atomically: true, encoding: .utf8)
        let config = try runTool(binary, ["run", "--config", dir.file("c.toml"), "--input", dir.file("clip.mp4")], timeout: 30)
        XCTAssertEqual(config.status, 1, config.stderr)
        XCTAssertTrue(config.stderr.contains("metrics"), config.stderr)
    }

    func testServeTakesTheEndpointFromTheConfig() throws {
        let dir = try TemporaryDirectory()
        try Fixtures.makeClip(at: dir.file("clip.mp4"), seconds: 10)
        let socket = dir.file("metrics.sock")
        try "metrics = \"unix:\(socket)\"\n[defaults]\nrealtime = true\n".write(toFile: dir.file("c.toml"), atomically: true, encoding: .utf8)
        let serve = try Child(try Fixtures.handmeshBinary(), ["serve", "--config", dir.file("c.toml"), "--input", dir.file("clip.mp4"),
                                                             "--name", "desk", "--output", "ndjson:\(dir.file("out.ndjson"))"])
        defer { serve.kill() }
        var text = ""
        XCTAssertTrue(eventually(timeout: 60) {
            text = (try? scrape(["--unix-socket", socket, "http://localhost/metrics"]).stdout) ?? ""
            return text.contains("handmesh_frames_processed_total{stream=\"desk\"} 1")
        }, text + serve.stderr)
        serve.send(SIGTERM)
        XCTAssertTrue(serve.waitForExit(timeout: 30))
        XCTAssertEqual(serve.status, 0, serve.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket))
    }

    func testAddressesAndTheTextFormat() throws {
        XCTAssertEqual(try MetricsAddress(parsing: "localhost:9464"), .tcp(host: "127.0.0.1", port: 9464))
        XCTAssertEqual(try MetricsAddress(parsing: "[::1]:9464"), .tcp(host: "::1", port: 9464))
        XCTAssertEqual(try MetricsAddress(parsing: "unix:/run/handmesh/metrics.sock"), .unix(path: "/run/handmesh/metrics.sock"))
        for bad in ["9464", "example.com:9464", "127.0.0.1:0", "[::]:9464", "unix:"] {
            XCTAssertThrowsError(try MetricsAddress(parsing: bad), bad)
        }
        var histogram = Histogram(upperBounds: [0.001, 0.01])
        histogram.observe(0.0005)
        histogram.observe(0.005)
        histogram.observe(5)
        var text = PrometheusText()
        text.histogram("x_seconds", help: "X.", labels: [("stage", "a\"b")], histogram)
        XCTAssertEqual(text.text, """
        # HELP x_seconds X.
        # TYPE x_seconds histogram
        x_seconds_bucket{stage="a\\"b",le="0.001"} 1
        x_seconds_bucket{stage="a\\"b",le="0.01"} 2
        x_seconds_bucket{stage="a\\"b",le="+Inf"} 3
        x_seconds_sum{stage="a\\"b"} 5.0055
        x_seconds_count{stage="a\\"b"} 3

        """)
    }
}
