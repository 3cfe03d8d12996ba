import Fitting
import Foundation
import XCTest

/// `run --mask` and mask-only streams as a child process, on synthetic clips with their true masks
/// (`handmesh synth --mask`): real FFmpeg decoding of both videos, the real stages.
final class MaskInputTests: XCTestCase {
    private var binary: String { get throws { try Fixtures.handmeshBinary() } }
    private let syntheticConfig = "\(Fixtures.repositoryRoot)/Config/examples/synthetic.toml"

    /// A synthetic clip, its truth and its mask video.
    private func synth(_ directory: TemporaryDirectory, frames: Int, seed: Int = 2, name: String = "clip")
        throws -> (clip: String, truth: String, mask: String) {
        let clip = directory.file("\(name).mp4"), truth = directory.file("\(name).truth.ndjson"), mask = directory.file("\(name).mask.mp4")
        let result = try runTool(try binary, ["synth", "--out", clip, "--truth", truth, "--mask", mask,
                                              "--frames", String(frames), "--seed", String(seed)], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        return (clip, truth, mask)
    }

    /// Frames with a fitted hand, and their mean PA-MPJPE (metres) against the truth's joints.
    private func jointError(records path: String, truth: String) throws -> (frames: Int, error: Double) {
        func hands(_ path: String) throws -> [Int: [SIMD3<Double>]] {
            var out: [Int: [SIMD3<Double>]] = [:]
            for frame in records(parseRecords(try String(contentsOfFile: path, encoding: .utf8)), ofType: "frame") {
                guard let index = frame["index"] as? Int,
                      let joints = (frame["hands"] as? [[String: Any]])?.first?["joints3d"] as? [[Double]] else { continue }
                out[index] = joints.map { SIMD3($0[0], $0[1], $0[2]) }
            }
            return out
        }
        let fitted = try hands(path), real = try hands(truth)
        // Procrustes has its own oracle tests (FittingTests).
        let errors = fitted.compactMap { index, joints in real[index].map { Procrustes.alignedMeanDistance(joints, $0) } }
        return (errors.count, errors.reduce(0, +) / Double(max(errors.count, 1)))
    }

    private func meanIoU(records: String, mask: String) throws -> Double {
        let result = try runTool(try binary, ["eval", "mask", records, mask], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        // "mesh-to-mask IoU over N of M frames with a fitted hand: mean X, ..."
        let line = try XCTUnwrap(result.stdout.split(separator: "\n").first)
        let mean = try XCTUnwrap(line.range(of: "mean ")).upperBound
        return try XCTUnwrap(Double(line[mean...].prefix { $0 != "," }))
    }

    func testAPairedMaskPullsTheMeshOntoTheHand() throws {
        let directory = try TemporaryDirectory()
        let (clip, truth, mask) = try synth(directory, frames: 45)
        let plain = directory.file("rgb.ndjson"), paired = directory.file("rgb+mask.ndjson")
        var result = try runTool(try binary, ["run", "--config", syntheticConfig, "--input", clip, "--output", "ndjson:\(plain)"], timeout: 300)
        XCTAssertEqual(result.status, 0, result.stderr)
        result = try runTool(try binary, ["run", "--config", syntheticConfig, "--input", clip, "--mask", mask,
                                          "--output", "ndjson:\(paired)"], timeout: 300)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try schemaErrors(ofLinesIn: paired), [])
        let header = try XCTUnwrap(parseRecords(try String(contentsOfFile: paired, encoding: .utf8)).first)
        XCTAssertEqual(header["stages"] as? [String], ["decode", "mask", "evidence", "fit"])
        let frames = records(parseRecords(try String(contentsOfFile: paired, encoding: .utf8)), ofType: "frame")
        XCTAssertEqual(frames.count, 45)
        var withIoU = 0
        for frame in frames {
            guard let fit = (frame["hands"] as? [[String: Any]])?.first?["fit"] as? [String: Any] else { continue }
            if let iou = fit["mask_iou"] as? Double {
                XCTAssertTrue((0...1).contains(iou))
                withIoU += 1
            }
            // The outline is fitted with the model's own bones, and the mesh reported is that one.
            let factors = (frame["hands"] as? [[String: Any]])?.first?["bone_factors"] as? [Double]
            XCTAssertEqual(factors, [Double](repeating: 1, count: 20))
        }
        XCTAssertGreaterThanOrEqual(withIoU, 43, "fitted hands report their agreement with the mask")
        // End to end from pixels against the clip's truth: the hand is found and its joints are right.
        let (found, error) = try jointError(records: plain, truth: truth)
        print("RGB, seed 2, 45 frames: hand in \(found) frames, PA-MPJPE \(error * 1000) mm")
        XCTAssertGreaterThanOrEqual(found, 43)
        XCTAssertLessThan(error, 0.025, "PA-MPJPE under 25 mm (15 mm measured on 90 frames; MediaPipe's landmarks are 7-9 px off on renders)")
        let before = try meanIoU(records: plain, mask: mask), after = try meanIoU(records: paired, mask: mask)
        print("mesh-to-mask IoU, seed 2, 45 frames: RGB \(before), RGB + mask \(after)")
        // Measured 0.763 and 0.781 here (0.758 and 0.817 over the clip's 90 frames); the keypoint
        // anchoring of the jitter filter already keeps RGB fits close to the hand in the image.
        XCTAssertGreaterThan(after, before + 0.012, "the silhouette term pulls the mesh onto the mask")
        XCTAssertGreaterThan(after, 0.76)
    }

    /// Mask2Hand mode: the mask video alone, through the mask regressor and the silhouette fit.
    func testAMaskAloneGivesAHandThatCoversIt() throws {
        let directory = try TemporaryDirectory()
        let (_, truth, mask) = try synth(directory, frames: 45, seed: 3)
        let output = directory.file("mask-only.ndjson")
        let result = try runTool(try binary, ["run", "--config", syntheticConfig, "--input", mask, "--input-is-mask",
                                              "--output", "ndjson:\(output)"], timeout: 300)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try schemaErrors(ofLinesIn: output), [])
        let all = parseRecords(try String(contentsOfFile: output, encoding: .utf8))
        XCTAssertEqual(all.first?["stages"] as? [String], ["decode", "mask_evidence", "fit"])
        let frames = records(all, ofType: "frame")
        XCTAssertEqual(frames.count, 45)
        let hands = frames.compactMap { ($0["hands"] as? [[String: Any]])?.first }
        XCTAssertEqual(hands.count, 45, "the hand is in every mask")
        XCTAssertTrue(hands.allSatisfy { $0["handedness"] as? String == "right" && $0["track"] as? Int == 1 })
        let iou = try meanIoU(records: output, mask: mask)
        print("mask-only, seed 3, 45 frames: mesh-to-mask IoU \(iou)")
        // Measured 0.90 over this clip's 90 frames; the first frames, before the warm fits settle, weigh more here.
        XCTAssertGreaterThan(iou, 0.8)
        // The truth's joints against the fitted ones, Procrustes-aligned: a hand, not just a blob.
        let (_, mean) = try jointError(records: output, truth: truth)
        print("mask-only PA-MPJPE \(mean * 1000) mm")
        XCTAssertLessThan(mean, 0.035, "PA-MPJPE under 35 mm")
    }

    /// Issue 14: each record's `fit.mask_iou` is the full-frame IoU `eval mask` measures, also where
    /// the fit starts as a small hand inside a large mask (hands with forearms; hands dilated by 14
    /// pixels, on which the old grid figure said 0.9998 for a full-frame IoU of 0.43), and
    /// dataset-like 224 px masks (fx 300-800, the hand 25-70% of the frame, any view) fit from a cold start.
    func testEachRecordsMaskIoUIsTheFullFrameIoU() throws {
        let directory = try TemporaryDirectory()
        for (name, forearms) in [("hands", "0"), ("arms", "1"), ("fat", "0")] {
            let folder = directory.file(name)
            var result = try runTool(try binary, ["synth-masks", "--out", folder, "--count", "6", "--seed", "14",
                                                  "--forearms", forearms], timeout: 120)
            XCTAssertEqual(result.status, 0, result.stderr)
            if name == "fat" {
                for k in 0..<6 {
                    let png = "\(folder)/m_0000\(k).png"
                    let dilated = Array(repeating: "dilation", count: 14).joined(separator: ",")
                    let fat = "\(folder)/fat.png"
                    result = try runTool("/usr/bin/ffmpeg", ["-v", "error", "-y", "-i", png, "-vf", dilated, fat], timeout: 60)
                    XCTAssertEqual(result.status, 0, result.stderr)
                    try FileManager.default.removeItem(atPath: png)
                    try FileManager.default.moveItem(atPath: fat, toPath: png)
                }
            }
            let output = directory.file("\(name).ndjson")
            result = try runTool(try binary, ["run", "--input", "manifest:\(folder)/masks.jsonl", "--input-is-mask",
                                              "--output", "ndjson:\(output)"], timeout: 300)
            XCTAssertEqual(result.status, 0, result.stderr)
            let evaluated = try runTool(try binary, ["eval", "mask", "--per-frame", output, "manifest:\(folder)/masks.jsonl"],
                                        timeout: 120)
            XCTAssertEqual(evaluated.status, 0, evaluated.stderr)
            let measured = perFrameIoU(evaluated.stdout)
            let frames = records(parseRecords(try String(contentsOfFile: output, encoding: .utf8)), ofType: "frame")
            XCTAssertEqual(frames.count, 6)
            var reported: [Double] = []
            for frame in frames {
                let index = try XCTUnwrap(frame["index"] as? Int)
                let fit = try XCTUnwrap((frame["hands"] as? [[String: Any]])?.first?["fit"] as? [String: Any])
                let iou = try XCTUnwrap(fit["mask_iou"] as? Double)
                XCTAssertEqual(iou, try XCTUnwrap(measured[index]), accuracy: 0.01, "\(name) frame \(index)")
                reported.append(iou)
            }
            let mean = reported.reduce(0, +) / Double(reported.count)
            print("synth-masks \(name), 6 masks: full-frame IoU \(reported), mean \(mean)")
            if name == "hands" { XCTAssertGreaterThan(mean, 0.85, "dataset-like masks fit from a cold start") }
        }
    }

    /// Issue 14: FFmpeg's own console lines (the swscaler's "deprecated pixel format used" on a JPEG)
    /// stay out of every command's output.
    func testFFmpegStaysQuietOnJPEGMasks() throws {
        let directory = try TemporaryDirectory()
        let folder = directory.file("masks")
        var result = try runTool(try binary, ["synth-masks", "--out", folder, "--count", "1", "--seed", "3"], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        let jpeg = directory.file("mask.jpg")
        result = try runTool("/usr/bin/ffmpeg", ["-v", "error", "-y", "-i", "\(folder)/m_00000.png", jpeg], timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        let output = directory.file("jpeg.ndjson")
        result = try runTool(try binary, ["run", "--input", jpeg, "--input-is-mask", "--output", "ndjson:\(output)"], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        result = try runTool(try binary, ["eval", "mask", output, jpeg], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "", "nothing but our own lines")
    }

    func testAnEmptyMaskGivesFramesWithoutHands() throws {
        let result = try runTool(try binary, ["run", "--input", "lavfi:color=black:size=320x240:rate=30:duration=1",
                                              "--input-is-mask"], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        let frames = records(parseRecords(result.stdout), ofType: "frame")
        XCTAssertEqual(frames.count, 30)
        XCTAssertTrue(frames.allSatisfy { ($0["hands"] as? [Any])?.isEmpty == true })
    }

    func testAMaskOfAnotherSizeIsNamedAndTheFramesGoOn() throws {
        let directory = try TemporaryDirectory()
        let (clip, _, _) = try synth(directory, frames: 10)
        let result = try runTool(try binary, ["run", "--config", syntheticConfig, "--input", clip,
                                              "--mask", "lavfi:color=white:size=320x240:rate=30:duration=1"], timeout: 300)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("is 320x240 but the input is 640x480"), result.stderr)
        let frames = records(parseRecords(result.stdout), ofType: "frame")
        XCTAssertEqual(frames.count, 10)
        XCTAssertFalse(result.stdout.contains("mask_iou"), "no frame was fitted to the wrong mask")
    }

    func testAShortMaskCoversItsFramesAndSaysWhereItEnded() throws {
        let directory = try TemporaryDirectory()
        let (clip, _, _) = try synth(directory, frames: 20)
        let (_, _, shortMask) = try synth(directory, frames: 8, name: "short")
        let result = try runTool(try binary, ["run", "--config", syntheticConfig, "--input", clip, "--mask", shortMask], timeout: 300)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("ended after 8 frames"), result.stderr)
        let frames = records(parseRecords(result.stdout), ofType: "frame")
        XCTAssertEqual(frames.count, 20)
        let paired = frames.map { frame in
            ((frame["hands"] as? [[String: Any]])?.first?["fit"] as? [String: Any])?["mask_iou"] != nil
        }
        XCTAssertFalse(paired[8...].contains(true), "frames after the mask's end carry no mask figure")
        XCTAssertGreaterThanOrEqual(paired[..<8].filter { $0 }.count, 7)
    }

    func testAMissingMaskIsNamedBeforeAnythingRuns() throws {
        let directory = try TemporaryDirectory()
        let (clip, _, _) = try synth(directory, frames: 5)
        let missing = directory.file("no-such-mask.mp4")
        let result = try runTool(try binary, ["run", "--input", clip, "--mask", missing], timeout: 120)
        XCTAssertEqual(result.status, 2, "an unreadable input")
        XCTAssertTrue(result.stderr.contains(missing), result.stderr)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1, result.stderr)
    }
}
