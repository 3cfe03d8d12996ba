import Foundation
import XCTest
import Video

/// Random input never crashes or hangs a source: it either refuses to open with one line, or reads to `.end`.
final class FuzzTests: TemporaryDirectoryTestCase {
    private typealias Generator = XorShiftGenerator

    func testInputSpecParsing() {
        var random = Generator(state: 0xDEC0DE)
        let pieces = ["-", "lavfi:", "/dev/video", "v4l2:", "://", "rtsp", "http", "%05d", "%d", "?", "&", "=", " ", "\n", "file://", "é", "\u{0}", "%", "/"]
        for _ in 0..<2000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...6, using: &random) {
                if Bool.random(using: &random) {
                    text += pieces.randomElement(using: &random)!
                } else {
                    text += String(UnicodeScalar(UInt8.random(in: 32...126, using: &random)))
                }
            }
            do {
                let spec = try InputSpec(parsing: text)
                XCTAssertEqual(spec.text, text)
            } catch let error as VideoError {
                XCTAssertFalse(error.description.contains("\n"), error.description)
            } catch {
                XCTFail("\(text.debugDescription): not a VideoError: \(error)")
            }
        }
    }

    func testMutatedClipsNeverCrashOrHang() throws {
        var random = Generator(state: 0x5EED)
        var originals: [(String, [UInt8])] = []
        for container in ["mp4", "ts", "mkv"] {
            let url = directory.appendingPathComponent("seed.\(container)")
            try VideoTestSupport.makeClip(url, graph: "testsrc=size=128x96:rate=15:duration=1", extra: ["-g", "5"])
            originals.append((container, [UInt8](try Data(contentsOf: url))))
        }
        var opened = 0, refused = 0
        for round in 0..<36 {
            let (container, original) = originals[round % originals.count]
            var bytes = original
            for _ in 0..<Int.random(in: 1...40, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            if Bool.random(using: &random) {
                bytes.removeLast(Int.random(in: 0..<(bytes.count / 2), using: &random))
            }
            let path = directory.appendingPathComponent("fuzz-\(round).\(container)").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let start = Date()
            do {
                let result = VideoTestSupport.drain(try VideoSource(InputSpec(parsing: path), options: SourceOptions()), limit: 1000, keepFrames: false)
                XCTAssertTrue(result.ended, "round \(round): no end")
                XCTAssertTrue(result.lost.isEmpty, "round \(round): a file is never lost")
                opened += 1
            } catch let error as VideoError {
                XCTAssertTrue(error.description.hasPrefix(path + ": "), error.description)
                XCTAssertFalse(error.description.contains("\n"), error.description)
                refused += 1
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 10, "round \(round) took too long")
        }
        XCTAssertEqual(opened + refused, 36)
        XCTAssertGreaterThan(opened, 0, "some damaged clips must still open")
    }
}
