import Foundation
import Logging
import Records
import Sinks
import XCTest

final class FileSinkTests: XCTestCase {
    func testReopenAfterRenameStartsANewFileAndLosesNothing() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("records.ndjson")
        let sink = try FileSink(path: path, logger: Logger(label: "test"))
        for i in 0..<3 {
            sink.write(Array("{\"n\":\(i)}\n".utf8), kind: .frame, stream: "s")
        }
        // Flushed per record: a reader sees every line before the sink is closed.
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n")
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        sink.write(Array("{\"n\":3}\n".utf8), kind: .frame, stream: "s")
        sink.reopen()
        sink.write(Array("{\"n\":4}\n".utf8), kind: .frame, stream: "s")
        sink.close()
        sink.write(Array("{\"n\":5}\n".utf8), kind: .frame, stream: "s")
        XCTAssertEqual(try String(contentsOfFile: path + ".1", encoding: .utf8), "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "{\"n\":4}\n")
    }

    func testAFileIsAppendedToNotTruncated() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("records.ndjson")
        try "{\"old\":1}\n".write(toFile: path, atomically: true, encoding: .utf8)
        let sink = try FileSink(path: path, logger: Logger(label: "test"))
        sink.write(Array("{\"new\":1}\n".utf8), kind: .frame, stream: "s")
        sink.close()
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "{\"old\":1}\n{\"new\":1}\n")
    }

    func testAnUnwritablePathIsOneLineNamingIt() {
        XCTAssertThrowsError(try FileSink(path: "/nonexistent-dir/x.ndjson", logger: Logger(label: "test"))) { error in
            XCTAssertEqual("\(error)", "output ndjson:/nonexistent-dir/x.ndjson: cannot open for writing: No such file or directory")
        }
        XCTAssertThrowsError(try SinkSpec(parsing: "tcp:9000")) { error in
            XCTAssertTrue("\(error)".contains("expected ndjson:-, ndjson:PATH, unix:PATH, mqtt://HOST[:PORT]/TOPIC or view:[HOST:]PORT"), "\(error)")
        }
    }
}

final class FileSinkRotationTests: XCTestCase {
    func testAReopenedFileStartsWithTheHeadersOfRunningStreams() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("records.ndjson")
        let sink = try FileSink(path: path, logger: Logger(label: "test"))
        sink.write(Array("{\"type\":\"header\",\"stream\":\"a\"}\n".utf8), kind: .header, stream: "a")
        sink.write(Array("{\"type\":\"header\",\"stream\":\"b\"}\n".utf8), kind: .header, stream: "b")
        sink.write(Array("{\"type\":\"frame\",\"stream\":\"a\"}\n".utf8), kind: .frame, stream: "a")
        sink.write(Array("{\"type\":\"end\",\"stream\":\"b\"}\n".utf8), kind: .end, stream: "b")
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        sink.reopen()
        sink.write(Array("{\"type\":\"frame\",\"stream\":\"a\"}\n".utf8), kind: .frame, stream: "a")
        sink.close()
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8),
                       "{\"type\":\"header\",\"stream\":\"a\"}\n{\"type\":\"frame\",\"stream\":\"a\"}\n",
                       "stream a's header first; b has ended")
    }
}
