import Sinks
import XCTest

final class MQTTAddressTests: XCTestCase {
    func testURLsParseWithTheirDefaults() throws {
        XCTAssertEqual(try MQTTAddress(parsing: "mqtt://broker/cams/desk"), MQTTAddress(tls: false, host: "broker", port: 1883, topic: "cams/desk"))
        XCTAssertEqual(try MQTTAddress(parsing: "mqtts://broker.example:8884/x"), MQTTAddress(tls: true, host: "broker.example", port: 8884, topic: "x"))
        XCTAssertEqual(try MQTTAddress(parsing: "mqtts://broker/x").port, 8883)
        XCTAssertEqual(try MQTTAddress(parsing: "mqtt://[::1]:1884/t"), MQTTAddress(tls: false, host: "::1", port: 1884, topic: "t"))
        XCTAssertEqual(try SinkSpec(parsing: "mqtt://h:1/t"), .mqtt(MQTTAddress(tls: false, host: "h", port: 1, topic: "t")))
    }

    func testBadURLsSayWhatIsWrong() {
        let cases = [
            ("mqtt://host", "no topic"), ("mqtt://host/", "no topic"), ("mqtt:///t", "no host"),
            ("mqtt://h:0/t", "not a number from 1 to 65535"), ("mqtt://h:x/t", "not a number"),
            ("mqtt://h/a/+/b", "wildcard"), ("mqtt://h/#", "wildcard"), ("mqtt://u:p@h/t", "credentials do not belong in the URL"),
            ("mqtt://[::1/t", "not HOST, HOST:PORT"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try MQTTAddress(parsing: text), text) { error in
                XCTAssertTrue("\(error)".hasPrefix("output \(text): "), "\(error)")
                XCTAssertTrue("\(error)".contains(message), "\(text): \(error)")
            }
        }
    }

    func testTheOutboxDropsWhatDoesNotFitAndRequeuesWhatWasNotAcknowledged() {
        var outbox = MQTTOutbox(capacityBytes: 10)
        func message(_ text: String) -> MQTTOutbox.Message { .init(payload: Array(text.utf8), retain: false, stream: "s") }
        XCTAssertTrue(outbox.enqueue(message("aaaa")))
        XCTAssertTrue(outbox.enqueue(message("bbbb")))
        XCTAssertFalse(outbox.enqueue(message("cccc")), "10 bytes hold two")
        XCTAssertEqual(outbox.dropped["s"], 1)
        let a = outbox.next()!, b = outbox.next()!
        outbox.sent(a, id: 1)
        outbox.sent(b, id: 2)
        outbox.acknowledge(1)
        XCTAssertEqual(outbox.bytes, 4, "only b is still held")
        XCTAssertTrue(outbox.enqueue(message("dddd")))
        outbox.requeueUnacknowledged()
        XCTAssertEqual(outbox.next()?.payload, Array("bbbb".utf8), "the unacknowledged record goes first again")
        XCTAssertEqual(outbox.next()?.payload, Array("dddd".utf8))
        XCTAssertNil(outbox.next())
        XCTAssertEqual(outbox.bytes, 8, "taken records stay counted until acknowledged")
    }
}
