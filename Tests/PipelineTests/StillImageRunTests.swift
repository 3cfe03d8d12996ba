import Foundation
import XCTest

/// `handmesh run` on photos made from the real clip: a folder, a manifest and a single image are
/// independent photos whose frame records name them; `still_images = false` makes a folder a video.
final class StillImageRunTests: XCTestCase {
    private func run(_ arguments: [String], timeout: Double = 180) throws -> ToolResult {
        try runTool(try Fixtures.handmeshBinary(), ["run"] + arguments, timeout: timeout)
    }

    /// Every 40th frame of the real clip as f_001.png … f_010.png, plus f_003b.png (360x360) and
    /// f_004c.jpg, and a text file a folder input must skip. Returns the photos in name order.
    private func makePhotos(in directory: TemporaryDirectory) throws -> [String] {
        let clip = try Fixtures.realClip()
        for arguments in [["-i", clip, "-vf", "select=not(mod(n\\,40))", "-vsync", "0", directory.file("f_%03d.png")],
                          ["-i", directory.file("f_003.png"), "-vf", "scale=360:360", directory.file("f_003b.png")],
                          ["-i", directory.file("f_004.png"), directory.file("f_004c.jpg")]] {
            let result = try runTool("/usr/bin/env", ["ffmpeg", "-nostdin", "-loglevel", "error", "-y"] + arguments, timeout: 120)
            guard result.status == 0 else { throw MissingTestInput("ffmpeg could not make the test photos: \(result.stderr)") }
        }
        try "not a photo\n".write(toFile: directory.file("notes.txt"), atomically: true, encoding: .utf8)
        return ["f_001.png", "f_002.png", "f_003.png", "f_003b.png", "f_004.png", "f_004c.jpg", "f_005.png",
                "f_006.png", "f_007.png", "f_008.png", "f_009.png", "f_010.png"].map(directory.file)
    }

    private func checkSchema(_ text: String, in directory: TemporaryDirectory) throws {
        let output = directory.file("records.ndjson")
        try text.write(toFile: output, atomically: true, encoding: .utf8)
        XCTAssertEqual(try schemaErrors(ofLinesIn: output), [])
    }

    func testAFolderGivesOneFrameRecordPerPhotoInNameOrder() throws {
        let directory = try TemporaryDirectory()
        let photos = try makePhotos(in: directory)
        let result = try run(["--input", directory.path + "/"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let all = parseRecords(result.stdout)
        let header = try XCTUnwrap(all.first)
        XCTAssertEqual(header["still_images"] as? Bool, true)
        let input = try XCTUnwrap(header["input"] as? [String: Any])
        XCTAssertEqual(input["kind"] as? String, "folder")
        XCTAssertEqual(input["images"] as? Int, photos.count)
        let frames = records(all, ofType: "frame")
        XCTAssertEqual(frames.map { ($0["image"] as? [String: Any])?["path"] as? String }, photos)
        XCTAssertEqual(frames.map { $0["index"] as? Int }, Array(0..<photos.count))
        XCTAssertEqual(frames[3]["width"] as? Int, 360, "each photo at its own size")
        XCTAssertTrue(frames.allSatisfy { ($0["image"] as? [String: Any])?["id"] is NSNull })
        // MediaPipe finds the hand in all but 18 of the clip's frames; most of these photos show it.
        XCTAssertGreaterThanOrEqual(frames.filter { ($0["hands"] as? [Any])?.isEmpty == false }.count, 9)
        try checkSchema(result.stdout, in: directory)
    }

    func testAManifestNamesIdsAndCarriesEachPhotosCamera() throws {
        let directory = try TemporaryDirectory()
        _ = try makePhotos(in: directory)
        try """
        {"image": "f_002.png", "id": "desk-2", "camera": {"fx": 1000, "fy": 1000, "cx": 360, "cy": 360, "k1": -0.05}}
        {"image": "f_003b.png", "id": 3}

        {"image": "\(directory.file("f_004c.jpg"))"}

        """.write(toFile: directory.file("shots.jsonl"), atomically: true, encoding: .utf8)
        try "[defaults]\nmax_dimension = 360\n".write(toFile: directory.file("small.toml"), atomically: true, encoding: .utf8)
        let result = try run(["--config", directory.file("small.toml"), "--input", "manifest:" + directory.file("shots.jsonl")])
        XCTAssertEqual(result.status, 0, result.stderr)
        let all = parseRecords(result.stdout)
        XCTAssertEqual((all.first?["input"] as? [String: Any])?["kind"] as? String, "manifest")
        let images = records(all, ofType: "frame").compactMap { $0["image"] as? [String: Any] }
        XCTAssertEqual(images.map { $0["path"] as? String }, ["f_002.png", "f_003b.png", "f_004c.jpg"].map(directory.file))
        XCTAssertEqual(images.map { $0["id"] as? String }, ["desk-2", "3", nil])
        // The 720 px photo was halved to max_dimension, and its camera with it.
        let camera = try XCTUnwrap(images.first?["camera"] as? [String: Any])
        XCTAssertEqual(camera["fx"] as? Double, 500)
        XCTAssertEqual(camera["cx"] as? Double, 180)
        XCTAssertEqual(camera["distortion"] as? [Double], [-0.05, 0, 0, 0, 0])
        // The others say which camera they were fitted with: 60° across their own longer side.
        for frame in records(all, ofType: "frame").dropFirst() {
            let width = try XCTUnwrap(frame["width"] as? Double), height = try XCTUnwrap(frame["height"] as? Double)
            let assumed = try XCTUnwrap((frame["image"] as? [String: Any])?["camera"] as? [String: Any])
            XCTAssertEqual(try XCTUnwrap(assumed["fx"] as? Double), 0.5 * max(width, height) / tan(.pi / 6), accuracy: 1e-3)
            XCTAssertEqual(try XCTUnwrap(assumed["cx"] as? Double), width / 2, accuracy: 1e-9)
        }
        XCTAssertEqual((all.first?["camera_source"] as? String), "per_image")
        try checkSchema(result.stdout, in: directory)
    }

    func testABadManifestLineIsOneErrorLineNamingTheManifestAndTheLine() throws {
        let directory = try TemporaryDirectory()
        let manifest = directory.file("bad.jsonl")
        try "{\"image\": \"a.png\"}\n{\"image\": \"b.png\", \"exposure\": 2}\n".write(toFile: manifest, atomically: true, encoding: .utf8)
        let result = try run(["--input", "manifest:" + manifest], timeout: 60)
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertEqual(result.stdout, "")
        let ours = result.stderr.split(separator: "\n").filter { $0.hasPrefix("handmesh: error:") }
        XCTAssertEqual(ours, ["handmesh: error: manifest:\(manifest): line 2: unknown key \"exposure\" (a line has image, and optionally camera and id)"])
    }

    func testAMissingOrCorruptPhotoGivesAnErrorRecordAndTheOthersTheirFrames() throws {
        let directory = try TemporaryDirectory()
        var photos = try makePhotos(in: directory)
        try Data("not a png at all".utf8).write(to: URL(fileURLWithPath: directory.file("f_005.png")))
        photos.removeAll { $0.hasSuffix("f_005.png") }
        let result = try run(["--input", directory.path])
        XCTAssertEqual(result.status, 3, "done, but an input was damaged: \(result.stderr.suffix(400))")
        let all = parseRecords(result.stdout)
        XCTAssertEqual(records(all, ofType: "frame").map { ($0["image"] as? [String: Any])?["path"] as? String }, photos)
        let errors = records(all, ofType: "error")
        XCTAssertEqual(errors.count, 1)
        XCTAssertTrue((errors.first?["detail"] as? String)?.hasPrefix(directory.file("f_005.png") + ": ") == true, "\(errors)")
        XCTAssertEqual(all.last?["corrupt"] as? Int, 1)
        try checkSchema(result.stdout, in: directory)
    }

    func testStillImagesFalseRunsAFolderAsOneVideo() throws {
        let directory = try TemporaryDirectory()
        let photos = try makePhotos(in: directory)
        try "[defaults]\nstill_images = false\n".write(toFile: directory.file("video.toml"), atomically: true, encoding: .utf8)
        let result = try run(["--config", directory.file("video.toml"), "--input", directory.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let all = parseRecords(result.stdout)
        XCTAssertEqual(all.first?["still_images"] as? Bool, false)
        XCTAssertEqual(records(all, ofType: "frame").count, photos.count)
        let flagged = try run(["--no-still-images", "--input", directory.path])
        XCTAssertEqual(flagged.status, 0, flagged.stderr)
        XCTAssertEqual(parseRecords(flagged.stdout).first?["still_images"] as? Bool, false, "the flag says the same")
    }

    func testASinglePNGIsAStillImage() throws {
        let directory = try TemporaryDirectory()
        let photo = try makePhotos(in: directory)[1]
        let result = try run(["--input", photo])
        XCTAssertEqual(result.status, 0, result.stderr)
        let all = parseRecords(result.stdout)
        XCTAssertEqual(all.first?["still_images"] as? Bool, true)
        XCTAssertEqual((all.first?["input"] as? [String: Any])?["kind"] as? String, "image")
        let frames = records(all, ofType: "frame")
        XCTAssertEqual(frames.count, 1)
        XCTAssertEqual((frames.first?["image"] as? [String: Any])?["path"] as? String, photo)
        XCTAssertEqual((frames.first?["hands"] as? [Any])?.count, 1, "the hand of the clip's 41st frame")
    }

    func testAnImageSequenceStaysAVideo() throws {
        let directory = try TemporaryDirectory()
        _ = try makePhotos(in: directory)
        let result = try run(["--input", directory.file("f_%03d.png")])
        XCTAssertEqual(result.status, 0, result.stderr)
        let all = parseRecords(result.stdout)
        XCTAssertEqual(all.first?["still_images"] as? Bool, false)
        let frames = records(all, ofType: "frame")
        XCTAssertEqual(frames.count, 10)
        XCTAssertTrue(frames.allSatisfy { $0["image"] == nil })
        let stills = try run(["--still-images", "--input", directory.file("f_%03d.png")])
        XCTAssertEqual(stills.status, 0, stills.stderr)
        XCTAssertEqual(parseRecords(stills.stdout).first?["still_images"] as? Bool, true, "the flag overrides")
    }
}
