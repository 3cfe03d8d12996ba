import ArgumentParser
import HandModel
import Foundation
import Records
import Render
import Video

/// `handmesh synth`: a synthetic hand clip with its ground truth, the project's default input and the
/// test suite's end-to-end yardstick.
struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a synthetic hand clip, its true hand parameters and joints, and its mask.",
        discussion: """
        The truth file holds the same records HandMesh writes (a header, one frame record per frame whose \
        hand carries pose, shape, global_orient, transl, joints3d, joints2d and its gesture, a name and \
        a weight that is 1 while the gesture is held; then an end record), with \
        the camera's intrinsics in the header. The mask video is white where the hand model's mesh is \
        (the forearm is not part of it). The same options always give the same clip.
        """)

    @Option(name: .long, help: "The video to write (.mp4, .mkv or .avi).")
    var out: String

    @Option(name: .long, help: "Where to write the true parameters and joints as NDJSON records.")
    var truth: String

    @Option(name: .long, help: "Also write the hand's mask as a video (white hand on black).")
    var mask: String?

    @Option(name: .long, help: "Number of frames.")
    var frames = 90

    @Option(name: .long, help: "Frame size, WIDTHxHEIGHT (even numbers).")
    var size = "640x480"

    @Option(name: .long, help: "Seed of the motion, skin tone and background.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Frames a second.")
    var fps = 30.0

    @Option(name: .long, help: "Background: cluttered or gradient.")
    var background = "cluttered"

    @Option(name: .long, help: "Which hand: right or left (the mirror image of the right hand's motion).")
    var hand = "right"

    func validate() throws {
        guard parsedSize != nil else { throw ValidationError("--size must be WIDTHxHEIGHT, e.g. 640x480; got '\(size)'") }
        guard SynthBackground.Style(rawValue: background) != nil else {
            throw ValidationError("--background must be cluttered or gradient; got '\(background)'")
        }
        guard HandSide(rawValue: hand) != nil else { throw ValidationError("--hand must be right or left; got '\(hand)'") }
        guard frames > 0 else { throw ValidationError("--frames must be positive; got \(frames)") }
        guard fps > 0, fps <= 240 else { throw ValidationError("--fps must be in (0, 240]; got \(fps)") }
    }

    private var parsedSize: (Int, Int)? {
        let parts = size.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w >= 64, h >= 64, w <= 4096, h <= 4096 else {
            return nil
        }
        return (w, h)
    }

    func run() throws {
        var options = SynthOptions()
        (options.width, options.height) = parsedSize!
        options.frames = frames
        options.fps = fps
        options.seed = seed
        options.background = SynthBackground.Style(rawValue: background)!
        options.side = HandSide(rawValue: hand)!
        guard FileManager.default.createFile(atPath: truth, contents: nil), let file = FileHandle(forWritingAtPath: truth) else {
            throw ValidationError("cannot create the truth file \(truth)")
        }
        defer { try? file.close() }
        let stream = "synth"
        var json = JSONWriter()
        let width = options.width & ~1, height = options.height & ~1
        let camera = RenderCamera(width: width, height: height)
        // Times are the clip's own (0 at the first frame), not the wall clock, so a seed always gives the same file.
        let header = HeaderRecord(
            stream: stream,
            input: InputDescription(description: "handmesh synth --hand \(hand) --seed \(seed) --frames \(frames) --size \(width)x\(height)",
                                    kind: "synthetic", live: false, format: "rgb24", width: width, height: height, frameRate: fps),
            camera: CameraDescription(fx: Double(camera.fx), fy: Double(camera.fy), cx: Double(camera.cx), cy: Double(camera.cy),
                                      distortion: [0, 0, 0, 0, 0]),
            mirrored: false, maxHands: 1, time: 0)
        json.encodeLine(.header(header))
        file.write(Data(json.bytes))
        let summary = try SynthClip.write(options, video: out, mask: mask) { index, t in
            var hand = HandRecord(track: 0, handedness: options.side == .right ? .right : .left,
                                  handednessScore: 1, score: 1)
            hand.globalOrient = floats(t.parameters.globalOrient)
            hand.pose = t.parameters.pose.map(Float.init)
            hand.shape = t.parameters.shape.map(Float.init)
            hand.transl = floats(t.parameters.transl)
            hand.joints3d = t.joints3d.flatMap { [Float($0.x), Float($0.y), Float($0.z)] }
            hand.joints2d = t.joints2d.flatMap { [Float($0.x), Float($0.y)] }
            hand.gesture = GestureLabel(name: t.gesture, weight: Float(t.gestureWeight))
            let pts = Double(index) / fps
            let record = FrameRecord(stream: stream, index: index, pts: pts, captureTime: pts, width: width, height: height,
                                     hands: [hand])
            json.encodeLine(.frame(record))
            file.write(Data(json.bytes))
        }
        json.encodeLine(.end(EndRecord(stream: stream, reason: .eof, decoded: frames, processed: frames, dropped: 0, corrupt: 0,
                                       losses: 0, reconnects: 0, seconds: Double(frames) / fps, time: Double(frames) / fps)))
        file.write(Data(json.bytes))
        FileHandle.standardError.write(Data(
            "synth: \(summary.frames) frames \(width)x\(height) (\(summary.codec)) to \(out), truth to \(truth)\(mask.map { ", mask to \($0)" } ?? ""); render \(String(format: "%.1f", summary.renderMilliseconds)) ms a frame\n".utf8))
    }
}

private func floats(_ v: SIMD3<Double>) -> [Float] { [Float(v.x), Float(v.y), Float(v.z)] }
