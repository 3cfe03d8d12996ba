import XCTest
import Video

final class InputSpecTests: XCTestCase {
    private func spec(_ text: String) throws -> InputSpec { try InputSpec(parsing: text) }

    func testKindsAndLiveness() throws {
        let cases: [(String, InputSpec.Kind, Bool, String)] = [
            ("-", .stdin, false, "pipe:0"),
            ("lavfi:testsrc=size=64x48", .lavfi, false, "testsrc=size=64x48"),
            ("/dev/video0", .camera, true, "/dev/video0"),
            ("v4l2:/dev/video2", .camera, true, "/dev/video2"),
            ("rtsp://camera.local:554/stream", .url, true, "rtsp://camera.local:554/stream"),
            ("http://127.0.0.1:8080/live.ts", .url, true, "http://127.0.0.1:8080/live.ts"),
            ("udp://0.0.0.0:5000", .url, true, "udp://0.0.0.0:5000"),
            ("tcp://127.0.0.1:9000", .url, true, "tcp://127.0.0.1:9000"),
            ("clips/hand.mp4", .file, false, "clips/hand.mp4"),
            ("/data/still.png", .image, false, "/data/still.png"),
            ("frames_%05d.png", .imageSequence, false, "frames_%05d.png"),
            ("shots/img%d.jpg", .imageSequence, false, "shots/img%d.jpg"),
            ("file:///tmp/clip.mp4", .file, false, "/tmp/clip.mp4"),
            ("100%.mp4", .file, false, "100%.mp4"),
            ("c:weird-name.mp4", .file, false, "c:weird-name.mp4"),
        ]
        for (text, kind, live, location) in cases {
            let parsed = try spec(text)
            XCTAssertEqual(parsed.kind, kind, text)
            XCTAssertEqual(parsed.isLive, live, text)
            XCTAssertEqual(parsed.location, location, text)
            XCTAssertEqual(parsed.description, text)
        }
        XCTAssertEqual(try spec("RTSP://cam/x").scheme, "rtsp")
        XCTAssertTrue(try spec("rtsp://cam/x").canReconnect)
        XCTAssertTrue(try spec("/dev/video0").canReconnect)
        XCTAssertFalse(try spec("clip.mp4").canReconnect)
        XCTAssertFalse(try spec("-").canReconnect)
    }

    func testCameraOptions() throws {
        let camera = try spec("/dev/video1?video_size=1280x720&framerate=30&input_format=mjpeg")
        XCTAssertEqual(camera.kind, .camera)
        XCTAssertEqual(camera.location, "/dev/video1")
        XCTAssertEqual(camera.deviceOptions, ["video_size": "1280x720", "framerate": "30", "input_format": "mjpeg"])
        XCTAssertEqual(try spec("/dev/video0").deviceOptions, [:])
        XCTAssertThrowsError(try spec("/dev/video0?video_size")) { error in
            XCTAssertEqual(String(describing: error), "/dev/video0?video_size: camera option 'video_size' is not NAME=VALUE")
        }
    }

    func testLivenessCanBeOverridden() throws {
        var stdin = try spec("-")
        stdin.isLive = true
        XCTAssertTrue(stdin.isLive)
    }

    func testErrorsNameTheInput() {
        for (text, message) in [
            ("", "empty input; give a path, a URL, /dev/videoN, - or lavfi:GRAPH"),
            ("lavfi:   ", "lavfi: needs a filter graph, e.g. lavfi:testsrc=size=640x480:rate=30"),
        ] {
            XCTAssertThrowsError(try spec(text)) { error in
                XCTAssertEqual((error as? VideoError)?.message, message)
                XCTAssertEqual((error as? VideoError)?.input, text)
            }
        }
        XCTAssertThrowsError(try spec("bogus://host/x")) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.hasPrefix("bogus://host/x: unsupported protocol 'bogus'; this FFmpeg reads "), text)
            XCTAssertTrue(text.contains("rtsp") && text.contains("http") && text.contains("udp"), text)
        }
    }

    func testVideoErrorIsOneLine() {
        let error = VideoError(input: "cam", message: "first line\nsecond line\r\nthird")
        XCTAssertEqual(error.description, "cam: first line second line third")
    }
}
