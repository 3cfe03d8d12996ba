import Foundation
import Records
import XCTest

final class RecordEncodingTests: XCTestCase {
    private func written(_ body: (inout JSONWriter) -> Void) -> String {
        var json = JSONWriter()
        body(&json)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    func testNumbersAreRoundedFixedAndAlwaysValidJSON() {
        XCTAssertEqual(written { $0.number(1.5, decimals: 3) }, "1.5")
        XCTAssertEqual(written { $0.number(0.1 + 0.2, decimals: 6) }, "0.3")
        XCTAssertEqual(written { $0.number(-2.0, decimals: 2) }, "-2")
        XCTAssertEqual(written { $0.number(-0.0001, decimals: 3) }, "0", "a value that rounds to zero loses its sign")
        XCTAssertEqual(written { $0.number(-12.3456, decimals: 2) }, "-12.35")
        XCTAssertEqual(written { $0.number(0.000_05, decimals: 5) }, "0.00005")
        XCTAssertEqual(written { $0.number(1_795_243_416.055937, decimals: 6) }, "1795243416.055937")
        XCTAssertEqual(written { $0.number(Double.nan, decimals: 3) }, "null")
        XCTAssertEqual(written { $0.number(-Double.infinity, decimals: 3) }, "null")
        XCTAssertEqual(written { $0.int(-9_223_372_036_854_775_807) }, "-9223372036854775807")
        let huge = written { $0.number(1e300, decimals: 3) }
        XCTAssertEqual((try? JSONSerialization.jsonObject(with: Data(huge.utf8), options: .fragmentsAllowed)) as? Double, 1e300)
    }

    func testStringsRoundTripThroughAJSONParser() throws {
        let nasty = "quote \" backslash \\ newline \n tab \t bell \u{07} delete \u{7F} ünïcödé ✋ \u{0}"
        let text = written { json in
            json.beginObject()
            json.key("s"); json.string(nasty)
            json.key(nasty); json.int(1)
            json.endObject()
        }
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(object["s"] as? String, nasty)
        XCTAssertEqual(object[nasty] as? Int, 1)
        XCTAssertFalse(text.contains("\n"), "a raw newline would split the record")
    }

    func testFrameRecordWithEveryHandFieldIsDeterministicAndMatchesTheSchema() throws {
        var hand = HandRecord(track: 3, handedness: .right, score: 0.97)
        hand.landmarks = (0..<42).map { Float($0) * 10.25 }
        hand.worldLandmarks = (0..<63).map { Float($0) * 0.001 - 0.03 }
        hand.roi = HandROI(cx: 320, cy: 240, size: 180.5, rotation: -0.3)
        hand.globalOrient = [0.1, -0.2, 0.3]
        hand.pose = (0..<45).map { Float($0) * 0.01 }
        hand.shape = (0..<10).map { Float($0) * -0.1 }
        hand.transl = [0.01, 0.02, 0.5]
        hand.joints3d = (0..<63).map { Float($0) * 0.002 }
        hand.joints2d = (0..<42).map { Float($0) * 3 }
        hand.vertices = (0..<(778 * 3)).map { Float($0) * 1e-4 }
        hand.fit = FitSummary(iterations: 7, reprojectionPixels: 1.25, milliseconds: 2.5, warm: true)
        let bare = HandRecord(track: 4, handedness: .left, score: 0.5)
        let frame = FrameRecord(stream: "cam0", index: 12, pts: 0.4, captureTime: 1_700_000_000.123456, width: 640,
                                height: 480, hands: [hand, bare], stageNames: ["decode", "evidence", "fit"],
                                stageMilliseconds: StageTimes([1.5, 4.25, 3.125]))
        var json = JSONWriter()
        json.encodeLine(.frame(frame))
        let first = json.bytes
        json.encodeLine(.frame(frame))
        XCTAssertEqual(first, json.bytes, "the same record must give the same bytes")
        let line = String(decoding: first, as: UTF8.self)
        XCTAssertTrue(line.hasPrefix("{\"type\":\"frame\",\"stream\":\"cam0\",\"index\":12,"))
        XCTAssertEqual(line.filter { $0 == "\n" }.count, 1)

        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let hands = try XCTUnwrap(object["hands"] as? [[String: Any]])
        XCTAssertEqual(hands.count, 2)
        XCTAssertEqual((hands[0]["landmarks"] as? [[Double]])?.count, 21)
        XCTAssertEqual((hands[0]["landmarks"] as? [[Double]])?[1], [20.5, 30.75])
        XCTAssertEqual((hands[0]["world_landmarks"] as? [[Double]])?.first?.count, 3)
        XCTAssertEqual((hands[0]["vertices"] as? [[Double]])?.count, 778)
        XCTAssertEqual((hands[0]["pose"] as? [Double])?.count, 45)
        XCTAssertEqual((hands[0]["fit"] as? [String: Any])?["warm"] as? Bool, true)
        XCTAssertEqual(Set(hands[1].keys), ["track", "handedness", "handedness_score", "score"], "unset fields stay out of the line")
        XCTAssertEqual(object["stage_ms"] as? [String: Double], ["decode": 1.5, "evidence": 4.25, "fit": 3.125])
        XCTAssertNil(object["image"], "a video frame names no image")

        var photo = frame
        photo.image = FrameImage(path: "shots/a.jpg", id: "7",
                                 camera: CameraDescription(fx: 500, fy: 490, cx: 180, cy: 175, distortion: [-0.1, 0, 0, 0.01, 0]))
        json.encodeLine(.frame(photo))
        let photoLine = String(decoding: json.bytes, as: UTF8.self)
        XCTAssertTrue(photoLine.contains(#""height":480,"image":{"path":"shots/a.jpg","id":"7","camera":{"fx":500,"fy":490,"cx":180,"cy":175,"distortion":[-0.1,0,0,0.01,0]}},"hands":"#),
                      "the image comes right after the size")
        var unnamed = frame
        unnamed.image = FrameImage(path: "b.png")
        json.encodeLine(.frame(unnamed))
        XCTAssertTrue(String(decoding: json.bytes, as: UTF8.self).contains(#""image":{"path":"b.png","id":null,"camera":null}"#))

        let directory = try TemporaryDirectory()
        let path = directory.file("records.ndjson")
        let header = HeaderRecord(stream: "cam0",
                                  input: InputDescription(description: "x.mp4", kind: "file", live: false, format: "h264",
                                                          width: 640, height: 480, frameRate: nil),
                                  models: [ModelDescription(name: "hand_landmark_full", version: "0.10")],
                                  stages: ["decode", "evidence", "fit"],
                                  camera: CameraDescription(fx: 600, fy: 600, cx: 320, cy: 240, distortion: [0.1, -0.2, 0, 0, 0.05]),
                                  time: 1_700_000_000)
        let photosHeader = HeaderRecord(stream: "photos",
                                        input: InputDescription(description: "manifest:m.jsonl", kind: "manifest", live: false,
                                                                format: "2 still images from a manifest", width: 720, height: 720,
                                                                frameRate: nil, images: 2),
                                        stages: ["decode", "evidence", "fit"], stillImages: true, time: 1_700_000_000)
        var lines: [UInt8] = []
        for record: Record in [.header(header), .frame(frame), .header(photosHeader), .frame(photo), .frame(unnamed),
                               .dropped(DroppedRecord(stream: "cam0", count: 3, firstIndex: 13, lastIndex: 15, time: 1_700_000_001)),
                               .source(SourceRecord(stream: "cam0", event: .lost, reason: "read timeout", time: 1_700_000_002)),
                               .source(SourceRecord(stream: "cam0", event: .reconnected, attempt: 2, time: 1_700_000_003)),
                               .error(ErrorRecord(stream: "cam0", kind: .corrupt, packets: 2, detail: "bad \"NAL\"",
                                                  afterIndex: nil, time: 1_700_000_004)),
                               .end(EndRecord(stream: "cam0", reason: .failed, decoded: 16, processed: 13, dropped: 3,
                                              corrupt: 2, losses: 1, reconnects: 1, seconds: 4, detail: "gave up",
                                              time: 1_700_000_005))] {
            json.encodeLine(record)
            lines += json.bytes
        }
        try Data(lines).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try schemaErrors(ofLinesIn: path), [])
    }

    func testTheSchemaRejectsWhatTheWriterMustNeverProduce() throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("bad.ndjson")
        let bad = [
            #"{"type":"frame","stream":"a","index":0,"pts":0,"capture_time":1,"width":1,"height":1,"hands":[{"track":1,"handedness":"up","handedness_score":0.9,"score":0.5}],"stage_ms":{}}"#,
            #"{"type":"frame","stream":"a","index":0,"pts":0,"capture_time":1,"width":1,"height":1,"hands":[{"track":1,"handedness":"left","handedness_score":0.9,"score":0.5,"landmarks":[[1,2]]}],"stage_ms":{}}"#,
            #"{"type":"end","stream":"a","reason":"eof","decoded":1}"#,
            #"{"type":"party","stream":"a"}"#,
        ]
        try (bad.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let errors = try schemaErrors(ofLinesIn: path)
        for line in 1...bad.count {
            XCTAssertTrue(errors.contains { $0.hasPrefix("line \(line):") }, "line \(line) should fail: \(errors)")
        }
    }
}
