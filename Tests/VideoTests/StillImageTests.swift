import Foundation
import XCTest
import Video

/// Single images, folders and manifests as sources of independent photos: photos of the real clip,
/// one of them resized and one a JPEG, decoded by the real FFmpeg.
final class StillImageTests: TemporaryDirectoryTestCase {
    /// Every 40th frame of the real clip as f_001.png … f_010.png, f_003b.png (360x360) and f_004c.jpg,
    /// beside a hidden image and a text file that a folder input must skip.
    private func makePhotos() throws -> [String] {
        let clip = VideoTestSupport.realClip
        guard FileManager.default.fileExists(atPath: clip.path) else {
            throw MissingTestInput("the shared clip is not at \(clip.path); the suite reads ../shared beside the repository")
        }
        let folder = directory.path
        try VideoTestSupport.ffmpegOK(["-i", clip.path, "-vf", "select=not(mod(n\\,40))", "-vsync", "0", "\(folder)/f_%03d.png"])
        try VideoTestSupport.ffmpegOK(["-i", "\(folder)/f_003.png", "-vf", "scale=360:360", "\(folder)/f_003b.png"])
        try VideoTestSupport.ffmpegOK(["-i", "\(folder)/f_004.png", "\(folder)/f_004c.jpg"])
        try FileManager.default.copyItem(atPath: "\(folder)/f_001.png", toPath: "\(folder)/.hidden.png")
        try "not a photo\n".write(toFile: "\(folder)/notes.txt", atomically: true, encoding: .utf8)
        return ["f_001.png", "f_002.png", "f_003.png", "f_003b.png", "f_004.png", "f_004c.jpg", "f_005.png",
                "f_006.png", "f_007.png", "f_008.png", "f_009.png", "f_010.png"]
    }

    func testInputKinds() throws {
        XCTAssertEqual(try InputSpec(parsing: directory.path).kind, .folder, "a directory, without the slash")
        XCTAssertEqual(try InputSpec(parsing: "photos/").kind, .folder)
        XCTAssertEqual(try InputSpec(parsing: "manifest:shots.jsonl").kind, .manifest)
        XCTAssertEqual(try InputSpec(parsing: "manifest:shots.jsonl").location, "shots.jsonl")
        XCTAssertEqual(try InputSpec(parsing: "hand.JPG").kind, .image)
        XCTAssertEqual(try InputSpec(parsing: "hand.mp4").kind, .file)
        XCTAssertEqual(try InputSpec(parsing: "frames_%05d.png").kind, .imageSequence)
        XCTAssertTrue(try InputSpec(parsing: "photos/").isStillImages)
        XCTAssertTrue(try InputSpec(parsing: "hand.webp").isStillImages)
        XCTAssertFalse(try InputSpec(parsing: "frames_%05d.png").isStillImages, "a %05d sequence stays a video")
        XCTAssertThrowsError(try InputSpec(parsing: "manifest:")) { error in
            XCTAssertEqual(String(describing: error), "manifest:: manifest: needs a path, e.g. manifest:photos.jsonl")
        }
    }

    func testAFolderGivesEachImageInNameOrderAtItsOwnSize() throws {
        let names = try makePhotos()
        let source = try VideoSource(InputSpec(parsing: directory.path + "/"), options: SourceOptions())
        XCTAssertEqual(source.stillImageCount, names.count)
        XCTAssertFalse(source.isLive, "photos are files: backpressure, never dropped")
        XCTAssertEqual(source.width, 720)
        let result = VideoTestSupport.drain(source)
        XCTAssertEqual(result.corrupt, 0, result.corruptDetails.joined(separator: "; "))
        XCTAssertEqual(result.frames.map { $0.still?.path }, names.map { directory.path + "/" + $0 })
        XCTAssertEqual(result.frames.map(\.index), Array(0..<names.count))
        XCTAssertTrue(result.frames.allSatisfy { $0.still?.id == nil && $0.still?.camera == nil })
        XCTAssertEqual(result.frames[3].width, 360, "the resized photo keeps its own size")
        XCTAssertEqual(result.frames[3].height, 360)
        XCTAssertEqual(result.frames[5].width, 720, "the JPEG")
        XCTAssertTrue(zip(result.frames, result.frames.dropFirst()).allSatisfy { $0.pts < $1.pts })
    }

    func testAManifestGivesIdsAndCamerasScaledWithThePhoto() throws {
        _ = try makePhotos()
        let manifest = directory.appendingPathComponent("shots.jsonl").path
        try """
        {"image": "f_002.png", "id": "left-desk", "camera": {"fx": 1000, "fy": 980, "cx": 360, "cy": 350, "k1": -0.1, "p2": 0.01}}

        {"image": "\(directory.path)/f_003b.png", "id": 17}
        {"image": "f_004c.jpg", "camera": {"fx": 800, "fy": 800, "cx": 359.5, "cy": 359.5}}

        """.write(toFile: manifest, atomically: true, encoding: .utf8)
        var options = SourceOptions()
        options.maxDimension = 360
        let source = try VideoSource(InputSpec(parsing: "manifest:" + manifest), options: options)
        XCTAssertEqual(source.stillImageCount, 3)
        let result = VideoTestSupport.drain(source)
        XCTAssertEqual(result.corrupt, 0)
        XCTAssertEqual(result.frames.count, 3)
        XCTAssertEqual(result.frames.map { $0.still?.path }, ["f_002.png", "f_003b.png", "f_004c.jpg"].map { directory.path + "/" + $0 })
        XCTAssertEqual(result.frames.map { $0.still?.id }, ["left-desk", "17", nil], "a numeric id is kept as written")
        XCTAssertTrue(result.frames.allSatisfy { $0.width == 360 && $0.height == 360 })
        // 720 px photos are halved to the 360 px cap, and their cameras with them; the 360 px one is left alone.
        XCTAssertEqual(result.frames[0].still?.camera, Intrinsics(fx: 500, fy: 490, cx: 180, cy: 175, distortion: [-0.1, 0, 0, 0.01]))
        XCTAssertNil(result.frames[1].still?.camera)
        XCTAssertEqual(result.frames[2].still?.camera, Intrinsics(fx: 400, fy: 400, cx: 179.75, cy: 179.75))
    }

    func testAnUnreadablePhotoIsReportedByNameAndTheOthersFollow() throws {
        _ = try makePhotos()
        try Data("these are not pixels".utf8).write(to: directory.appendingPathComponent("f_005.png"))
        try FileManager.default.removeItem(at: directory.appendingPathComponent("f_009.png"))
        let manifest = directory.appendingPathComponent("m.jsonl").path
        try "{\"image\":\"f_002.png\"}\n{\"image\":\"f_009.png\",\"id\":\"gone\"}\n{\"image\":\"f_010.png\"}\n"
            .write(toFile: manifest, atomically: true, encoding: .utf8)

        let folder = VideoTestSupport.drain(try VideoSource(InputSpec(parsing: directory.path), options: SourceOptions()))
        XCTAssertEqual(folder.frames.count, 10, "11 images listed, one damaged")
        XCTAssertEqual(folder.corrupt, 1)
        XCTAssertTrue(folder.corruptDetails.first?.hasPrefix(directory.path + "/f_005.png: ") == true, "\(folder.corruptDetails)")
        XCTAssertFalse(folder.frames.contains { $0.still?.path.hasSuffix("f_005.png") == true })

        let listed = VideoTestSupport.drain(try VideoSource(InputSpec(parsing: "manifest:" + manifest), options: SourceOptions()))
        XCTAssertEqual(listed.frames.map { $0.still?.path }, [directory.path + "/f_002.png", directory.path + "/f_010.png"])
        XCTAssertEqual(listed.frames.map(\.index), [0, 1])
        XCTAssertEqual(listed.corruptDetails, [directory.path + "/f_009.png (id gone): no such file"])
    }

    func testASingleImageIsOneStillAndAnUnreadableOneFailsToOpen() throws {
        _ = try makePhotos()
        let path = directory.appendingPathComponent("f_004c.jpg").path
        let source = try VideoSource(InputSpec(parsing: path), options: SourceOptions())
        XCTAssertEqual(source.stillImageCount, 1)
        let result = VideoTestSupport.drain(source)
        XCTAssertEqual(result.frames.map { $0.still }, [StillImage(path: path)])
        let broken = directory.appendingPathComponent("broken.png").path
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: broken))
        XCTAssertThrowsError(try VideoSource(InputSpec(parsing: broken), options: SourceOptions())) { error in
            XCTAssertTrue(String(describing: error).hasPrefix(broken + ": "), "\(error)")
        }
    }

    func testAnImageSequenceStaysAVideo() throws {
        _ = try makePhotos()
        let source = try VideoSource(InputSpec(parsing: directory.path + "/f_%03d.png"), options: SourceOptions())
        XCTAssertNil(source.stillImageCount)
        let result = VideoTestSupport.drain(source)
        XCTAssertEqual(result.frames.count, 10)
        XCTAssertTrue(result.frames.allSatisfy { $0.still == nil })
    }

    func testEmptyFoldersAndBadManifestsAreOneLineErrorsNamingThem() throws {
        let empty = directory.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        try "x".write(toFile: empty + "/readme.txt", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try VideoSource(InputSpec(parsing: empty + "/"), options: SourceOptions())) { error in
            XCTAssertTrue(String(describing: error).hasPrefix(empty + "/: the folder holds no image files"), "\(error)")
        }
        let manifest = directory.appendingPathComponent("bad.jsonl").path
        try "{\"image\":\"a.png\"}\n\n{\"image\":\"b.png\",\"camera\":{\"fx\":-3,\"fy\":1,\"cx\":0,\"cy\":0}}\n"
            .write(toFile: manifest, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try VideoSource(InputSpec(parsing: "manifest:" + manifest), options: SourceOptions())) { error in
            XCTAssertEqual(String(describing: error), "manifest:\(manifest): line 3: camera: fx must be from 1 to 1e6 pixels, got -3")
        }
        XCTAssertThrowsError(try VideoSource(InputSpec(parsing: "manifest:" + directory.path + "/none.jsonl"), options: SourceOptions())) { error in
            XCTAssertEqual(String(describing: error), "manifest:\(directory.path)/none.jsonl: cannot read the manifest: no such file")
        }
    }
}
