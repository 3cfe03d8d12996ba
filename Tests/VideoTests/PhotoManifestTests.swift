import Foundation
import XCTest
import Video

/// The manifest's lines: what is accepted, what is refused and how, and that no line crashes it.
final class PhotoManifestTests: XCTestCase {
    private let path = "/data/shots/photos.jsonl"

    private func line(_ text: String) throws -> StillImage? {
        try PhotoManifest.parseLine(text, number: 4, path: path, folder: "/data/shots")
    }

    func testAcceptedLines() throws {
        XCTAssertEqual(try line(#"{"image": "a.jpg"}"#), StillImage(path: "/data/shots/a.jpg"))
        XCTAssertEqual(try line(#"{"id": "x\u00e9\"", "image": "/abs/b.png"}"#), StillImage(path: "/abs/b.png", id: "xé\""))
        XCTAssertEqual(try line(#"{"image": "sub/c.png", "id": -12.50}"#)?.id, "-12.50", "a number id is kept as written")
        XCTAssertEqual(try line(#"{"image":"d.png","camera":{"fx":1.5e3,"fy":1500,"cx":0,"cy":-2,"k3":0.5}}"#)?.camera,
                       Intrinsics(fx: 1500, fy: 1500, cx: 0, cy: -2, distortion: [0, 0, 0, 0, 0.5]))
        XCTAssertNil(try line("   \t\r"), "blank lines are skipped")
        XCTAssertEqual(try PhotoManifest.parse("{\"image\":\"a.png\"}\r\n\n{\"image\":\"b.png\"}", path: "m.jsonl").map(\.path),
                       ["a.png", "b.png"], "a manifest in the working folder")
    }

    func testRefusedLinesSayWhatIsWrong() {
        let cases: [(String, String)] = [
            (#"{"image": "a.jpg", "size": 3}"#, #"unknown key "size" (a line has image, and optionally camera and id)"#),
            (#"{"id": "a"}"#, #"missing key "image""#),
            (#"{"image": ""}"#, #""image" must be a non-empty path, got """#),
            (#"{"image": 5}"#, #""image" must be a non-empty path, got a number"#),
            (#"{"image": "a.png", "id": true}"#, #""id" must be a string or a number, got a boolean"#),
            (#"{"image": "a.png", "camera": {"fx": 0, "fy": 1, "cx": 1, "cy": 1}}"#, "camera: fx must be from 1 to 1e6 pixels, got 0"),
            (#"{"image": "a.png", "camera": {"fx": 1e-300, "fy": 1, "cx": 1, "cy": 1}}"#, "camera: fx must be from 1 to 1e6 pixels, got 1e-300"),
            (#"{"image": "a.png", "camera": {"fx": 1, "fy": 1e308, "cx": 1, "cy": 1}}"#, "camera: fy must be from 1 to 1e6 pixels, got 1e308"),
            (#"{"image": "a.png", "camera": {"fx": 1, "fy": 1, "cx": -1e300, "cy": 1}}"#, "camera: cx must be from -1e6 to 1e6 pixels, got -1e300"),
            (#"{"image": "a.png", "camera": {"fx": 1, "cx": 1, "cy": 1}}"#, "camera: missing fy; a camera needs fx, fy, cx and cy"),
            (#"{"image": "a.png", "camera": {"fx": 1, "fy": 1, "cx": "1", "cy": 1}}"#, "camera: cx must be a number, got a string"),
            (#"{"image": "a.png", "camera": {"fx": 1, "fy": 1, "cx": 1, "cy": 1, "k4": 0}}"#, #"camera: unknown key "k4" (fx, fy, cx, cy, k1, k2, p1, p2, k3)"#),
            (#"{"image": "a.png", "camera": [1, 2]}"#, "camera: expected an object, got an array"),
            (#"["a.png"]"#, "expected a JSON object, got an array"),
            (#"{"image": "a.png",}"#, "not JSON: expected a key in quotes at character 19"),
            (#"{"image": "a.png", "image": "b.png"}"#, #"not JSON: duplicate key "image" at character 27"#),
            (#"{"image": "a.png"} x"#, "not JSON: unexpected text after the value at character 20"),
            (#"{"image": "a.png", "id": 1e999}"#, "not JSON: the number 1e999 is out of range at character 26"),
            (#"{"image": "a.png", "id": 012}"#, "not JSON: a number may not start with 0 at character 26"),
            (#"{"image": "a\qb"}"#, #"not JSON: unknown escape '\q' at character 14"#),
            (#"{"image": "\ud800"}"#, #"not JSON: a lone surrogate in \u escapes at character 18"#),
            ("{\"image\": \"a\tb\"}", "not JSON: control character in a string (escape it) at character 13"),
            (String(repeating: "[", count: 10_000), "not JSON: nested deeper than 64 levels at character 65"),
        ]
        for (text, message) in cases {
            XCTAssertThrowsError(try line(text), text) { error in
                XCTAssertEqual(String(describing: error), "\(path): line 4: \(message)", text)
            }
        }
    }

    /// Random and mutated lines: each is accepted or refused with a one-line error naming the manifest
    /// and the line; none crashes or hangs. HANDMESH_FUZZ_ITERATIONS sets how many (default 20,000).
    func testFuzzedLinesAreAcceptedOrRefusedInOneLine() {
        let iterations = ProcessInfo.processInfo.environment["HANDMESH_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 20_000
        let seeds = [
            #"{"image": "a.jpg", "id": "x", "camera": {"fx": 1000, "fy": 1000, "cx": 320, "cy": 240, "k1": -0.1, "k2": 0.01, "p1": 0, "p2": 0, "k3": 0}}"#,
            #"{"image": "/abs/\u00e9.png", "id": 42}"#,
            #"{"id": -1.5e3, "image": "b.png", "camera": {"fx": 1, "fy": 2, "cx": 3, "cy": 4}}"#,
        ]
        let alphabet = Array(#"{}[]":,.-+eE0123456789 \tnulltruefalse"imagecameraidfxfycxcyk1\u00"#.utf8) + [0, 0x80, 0xC3, 0xFF, 0x0D]
        var random = XorShiftGenerator(state: 0x5EED)
        var accepted = 0, refused = 0
        for i in 0..<iterations {
            var bytes: [UInt8]
            if i % 5 == 0 {
                bytes = (0..<Int(random.next() % 80)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            } else {
                bytes = Array(seeds[Int(random.next() % UInt64(seeds.count))].utf8)
                for _ in 0..<(1 + Int(random.next() % 4)) where !bytes.isEmpty {
                    let at = Int(random.next() % UInt64(bytes.count))
                    switch random.next() % 4 {
                    case 0: bytes[at] = alphabet[Int(random.next() % UInt64(alphabet.count))]
                    case 1: bytes.remove(at: at)
                    case 2: bytes.insert(alphabet[Int(random.next() % UInt64(alphabet.count))], at: at)
                    default: bytes = Array(bytes[..<at])
                    }
                }
            }
            let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\n", with: " ")
            do {
                if let photo = try line(text) {
                    accepted += 1
                    XCTAssertFalse(photo.path.isEmpty, text)
                    if let camera = photo.camera { XCTAssertTrue(camera.fx > 0 && camera.fy > 0, text) }
                }
            } catch let error as VideoError {
                refused += 1
                let shown = String(describing: error)
                XCTAssertTrue(shown.hasPrefix("\(path): line 4: "), shown)
                XCTAssertFalse(shown.contains("\n"), shown)
            } catch {
                XCTFail("not a VideoError: \(error)")
            }
        }
        XCTAssertGreaterThan(accepted, 0, "some mutants stay valid")
        XCTAssertGreaterThan(refused, 0)
    }
}
