import Foundation
import XCTest

/// `--output mqtt://…` against a real mosquitto broker, with `mosquitto_sub` as the independent
/// subscriber and the same run's NDJSON file as the record of what was sent.
final class MQTTSinkTests: XCTestCase {
    private func lines(of path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// QoS 1 is at least once: a record the broker took just before it went away may come again.
    /// Dropping repeats must leave exactly what was sent, in order.
    private func withoutRepeats(_ messages: [String]) -> [String] {
        var seen = Set<String>()
        return messages.filter { seen.insert($0).inserted }
    }

    /// Names the first record that differs rather than printing both lists whole.
    private func assertSame(_ received: [String], _ sent: [String], _ what: String, line: UInt = #line) {
        XCTAssertEqual(received.count, sent.count, "\(what): count", line: line)
        if let i = (0..<min(received.count, sent.count)).first(where: { received[$0] != sent[$0] }) {
            XCTFail("\(what): record \(i) differs: received \(received[i].prefix(120)), sent \(sent[i].prefix(120))", line: line)
        }
    }

    func testEveryRecordReachesAnIndependentSubscriberInOrderAndALateOneGetsTheHeader() throws {
        let broker = try MosquittoBroker()
        let subscriber = try MosquittoSubscriber(broker: broker, topic: "handmesh/test")
        defer { subscriber.stop() }
        let dir = try TemporaryDirectory()
        try Fixtures.makeClip(at: dir.file("clip.mp4"), seconds: 2)
        let result = try runTool(try Fixtures.handmeshBinary(), [
            "run", "--input", dir.file("clip.mp4"),
            "--output", "mqtt://127.0.0.1:\(broker.port)/handmesh/test", "ndjson:\(dir.file("out.ndjson"))",
        ], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        let sent = try lines(of: dir.file("out.ndjson"))
        XCTAssertEqual(sent.count, 62, "header, 60 frames, end")
        XCTAssertTrue(eventually(timeout: 10) { subscriber.messages.count >= sent.count })
        assertSame(subscriber.messages, sent, "every record, once, in order")

        let late = try runTool("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", String(broker.port), "-t", "handmesh/test",
                                                           "-C", "1", "-W", "10"], timeout: 20)
        XCTAssertEqual(late.stdout.split(separator: "\n").first.map(String.init), sent.first, "the retained header")
    }

    func testABrokerRestartedMidStreamLosesNothingThatFitInTheBuffer() throws {
        let broker = try MosquittoBroker(persistent: true)
        // A persistent session: the broker keeps the subscriber's messages while either is away.
        let subscriber = try MosquittoSubscriber(broker: broker, topic: "hm/restart", extra: ["-c", "-i", "hm-restart-test", "-R"])
        defer { subscriber.stop() }
        let dir = try TemporaryDirectory()
        try Fixtures.makeClip(at: dir.file("clip.mp4"), seconds: 6)
        try """
        [defaults]
        mqtt_buffer_bytes = 4194304
        [defaults.reconnect]
        initial_delay = 0.2
        max_delay = 1.0
        """.write(toFile: dir.file("c.toml"), atomically: true, encoding: .utf8)
        let run = try Child(try Fixtures.handmeshBinary(), [
            "run", "--config", dir.file("c.toml"), "--realtime", "--input", dir.file("clip.mp4"),
            "--output", "mqtt://127.0.0.1:\(broker.port)/hm/restart", "ndjson:\(dir.file("out.ndjson"))",
        ])
        XCTAssertTrue(eventually(timeout: 30) { subscriber.messages.count >= 20 }, run.stderr)
        broker.stop()
        let downAt = Date()
        usleep(2_000_000)
        try broker.start()
        XCTAssertTrue(run.waitForExit(timeout: 60))
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertGreaterThan(Date().timeIntervalSince(downAt), 2, "the run outlived the outage")

        let sent = try lines(of: dir.file("out.ndjson"))
        let end = try XCTUnwrap(parseRecords(sent.joined(separator: "\n") + "\n").last)
        XCTAssertEqual(end["type"] as? String, "end")
        XCTAssertEqual(end["output_dropped"] as? Int, 0, "nothing overflowed the 4 MiB buffer")
        XCTAssertTrue(eventually(timeout: 20) { self.withoutRepeats(subscriber.messages).count >= sent.count },
                      "received \(withoutRepeats(subscriber.messages).count) of \(sent.count): \(run.stderr)")
        assertSame(withoutRepeats(subscriber.messages), sent, "every record, in order, across the restart")
        XCTAssertTrue(run.stderr.contains("reconnected"), run.stderr)
    }

    func testWithoutABrokerTheRunGoesOnAndCountsWhatOverflowed() throws {
        let port = try freeLoopbackPort()
        let dir = try TemporaryDirectory()
        try Fixtures.makeClip(at: dir.file("clip.mp4"), seconds: 2)
        try "[defaults]\nmqtt_buffer_bytes = 4096\n".write(toFile: dir.file("c.toml"), atomically: true, encoding: .utf8)
        let started = Date()
        let result = try runTool(try Fixtures.handmeshBinary(), [
            "run", "--config", dir.file("c.toml"), "--input", dir.file("clip.mp4"),
            "--output", "mqtt://127.0.0.1:\(port)/hm/none", "ndjson:\(dir.file("out.ndjson"))",
        ], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertLessThan(Date().timeIntervalSince(started), 60)
        let records = parseRecords(try String(contentsOfFile: dir.file("out.ndjson"), encoding: .utf8))
        XCTAssertEqual(records.count, 62, "the file output got every record: the pipeline never waited on the broker")
        let dropped = try XCTUnwrap(records.last?["output_dropped"] as? Int)
        XCTAssertGreaterThan(dropped, 30, "a 4 KiB buffer holds a few records; the rest are dropped and counted")
        XCTAssertTrue(result.stderr.contains("buffer full"), result.stderr)
        XCTAssertTrue(result.stderr.contains("never acknowledged"), result.stderr)
    }

    func testCredentialsComeFromTheFileTheConfigNames() throws {
        let dir = try TemporaryDirectory()
        let passwords = dir.file("passwd")
        let made = try runTool("/usr/bin/mosquitto_passwd", ["-b", "-c", passwords, "camera", "s3cret word"], timeout: 20)
        XCTAssertEqual(made.status, 0, made.stderr)
        let broker = try MosquittoBroker(extraConfig: "allow_anonymous false\npassword_file \(passwords)\n")
        let subscriber = try MosquittoSubscriber(broker: broker, topic: "hm/auth", extra: ["-u", "camera", "-P", "s3cret word"])
        defer { subscriber.stop() }
        try Fixtures.makeClip(at: dir.file("clip.mp4"), seconds: 1)
        try "camera\ns3cret word\n".write(toFile: dir.file("mqtt.credentials"), atomically: true, encoding: .utf8)
        try "[defaults]\nmqtt_credentials = \"mqtt.credentials\"\n".write(toFile: dir.file("c.toml"), atomically: true, encoding: .utf8)
        let result = try runTool(try Fixtures.handmeshBinary(), [
            "run", "--config", dir.file("c.toml"), "--input", dir.file("clip.mp4"),
            "--output", "mqtt://127.0.0.1:\(broker.port)/hm/auth", "ndjson:\(dir.file("out.ndjson"))",
        ], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        let sent = try lines(of: dir.file("out.ndjson"))
        XCTAssertTrue(eventually(timeout: 10) { subscriber.messages.count >= sent.count })
        assertSame(subscriber.messages, sent, "every record")
        XCTAssertFalse(result.stderr.contains("s3cret"), "the password never reaches the logs")
    }

    func testMQTTSOverTLSChecksTheBrokerAgainstTheConfiguredCA() throws {
        let dir = try TemporaryDirectory()
        // A private CA and a broker certificate for 127.0.0.1, as a site would make them.
        let openssl: [[String]] = [
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=handmesh test CA",
             "-keyout", dir.file("ca.key"), "-out", dir.file("ca.pem")],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", dir.file("broker.key"), "-out", dir.file("broker.csr")],
            ["x509", "-req", "-in", dir.file("broker.csr"), "-CA", dir.file("ca.pem"), "-CAkey", dir.file("ca.key"), "-CAcreateserial",
             "-days", "2", "-extfile", dir.file("san.cnf"), "-out", dir.file("broker.pem")],
        ]
        try "subjectAltName = IP:127.0.0.1\n".write(toFile: dir.file("san.cnf"), atomically: true, encoding: .utf8)
        for arguments in openssl {
            let made = try runTool("/usr/bin/openssl", arguments, timeout: 60)
            XCTAssertEqual(made.status, 0, made.stderr)
        }
        let broker = try MosquittoBroker(extraConfig: "allow_anonymous true\ncafile \(dir.file("ca.pem"))\ncertfile \(dir.file("broker.pem"))\nkeyfile \(dir.file("broker.key"))\n")
        try Fixtures.makeClip(at: dir.file("clip.mp4"), seconds: 1)
        try "[defaults]\nmqtt_ca_file = \"ca.pem\"\n".write(toFile: dir.file("c.toml"), atomically: true, encoding: .utf8)
        let subscriber = try Child("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", String(broker.port), "--cafile", dir.file("ca.pem"),
                                                             "-q", "1", "-t", "hm/tls", "-C", "32", "-W", "60"])
        usleep(500_000)
        let result = try runTool(try Fixtures.handmeshBinary(), [
            "run", "--config", dir.file("c.toml"), "--input", dir.file("clip.mp4"),
            "--output", "mqtts://127.0.0.1:\(broker.port)/hm/tls", "ndjson:\(dir.file("out.ndjson"))",
        ], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(subscriber.waitForExit(timeout: 30))
        assertSame(subscriber.stdout.split(separator: "\n").map(String.init), try lines(of: dir.file("out.ndjson")), "every record over TLS")

        // Another CA: the broker's certificate does not check out, and nothing is sent.
        try "[defaults]\nmqtt_ca_file = \"/etc/ssl/certs/ca-certificates.crt\"\n".write(toFile: dir.file("other.toml"), atomically: true, encoding: .utf8)
        let refused = try runTool(try Fixtures.handmeshBinary(), [
            "run", "--config", dir.file("other.toml"), "--input", dir.file("clip.mp4"),
            "--output", "mqtts://127.0.0.1:\(broker.port)/hm/tls", "ndjson:\(dir.file("out2.ndjson"))",
        ], timeout: 120)
        XCTAssertEqual(refused.status, 0, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("never acknowledged"), refused.stderr)
        XCTAssertGreaterThan(parseRecords(try String(contentsOfFile: dir.file("out2.ndjson"), encoding: .utf8)).count, 0)
    }

    func testBadMQTTOutputsAreOneLineNamingWhatAndWhere() throws {
        let binary = try Fixtures.handmeshBinary()
        let dir = try TemporaryDirectory()
        try Fixtures.makeClip(at: dir.file("clip.mp4"), seconds: 1)
        let badURL = try runTool(binary, ["run", "--input", dir.file("clip.mp4"), "--output", "mqtt://127.0.0.1:99999/t"], timeout: 60)
        XCTAssertEqual(badURL.status, 1, badURL.stderr)
        XCTAssertEqual(badURL.stderr.split(separator: "\n").count, 1, badURL.stderr)
        XCTAssertTrue(badURL.stderr.contains("output mqtt://127.0.0.1:99999/t: the port \"99999\" is not a number from 1 to 65535"), badURL.stderr)

        try "[defaults]\nmqtt_credentials = \"/nonexistent/mqtt.credentials\"\n".write(toFile: dir.file("c.toml"), atomically: true, encoding: .utf8)
        let noFile = try runTool(binary, ["run", "--config", dir.file("c.toml"), "--input", dir.file("clip.mp4"),
                                          "--output", "mqtt://127.0.0.1:1883/t"], timeout: 60)
        XCTAssertEqual(noFile.status, 4, noFile.stderr)
        XCTAssertTrue(noFile.stderr.contains("output mqtt://127.0.0.1:1883/t: the credentials file /nonexistent/mqtt.credentials: cannot read: No such file or directory"), noFile.stderr)
        XCTAssertEqual(noFile.stderr.split(separator: "\n").count, 1, noFile.stderr)

        try "[[streams]]\nname = \"a\"\ninput = \"x.mp4\"\noutputs = [\"mqtt://broker/a/#\"]\n".write(toFile: dir.file("s.toml"), atomically: true, encoding: .utf8)
        let wildcard = try runTool(binary, ["run", "--config", dir.file("s.toml")], timeout: 60)
        XCTAssertEqual(wildcard.status, 1, wildcard.stderr)
        XCTAssertTrue(wildcard.stderr.contains("streams[0].outputs[0]"), wildcard.stderr)
        XCTAssertTrue(wildcard.stderr.contains("wildcard"), wildcard.stderr)
    }
}
