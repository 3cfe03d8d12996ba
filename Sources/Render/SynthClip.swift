import Foundation
import HandModel
import Video

/// What a synthetic clip looks like; every field has the default clip's value.
public struct SynthOptions: Sendable, Equatable {
    public var width = 640
    public var height = 480
    public var frames = 90
    public var fps = 30.0
    public var seed: UInt64 = 1
    public var background: SynthBackground.Style = .cluttered
    public var side: HandSide = .right

    public init() {}
}

/// Writes a synthetic clip: the video, optionally the matching mask video (white hand on black, the hand
/// model's mesh only, without the forearm), and hands each frame's truth to the caller, which writes it
/// as records. Deterministic: the same options give the same pictures and the same truth.
public enum SynthClip {
    public struct Summary: Sendable {
        public var frames: Int
        public var codec: String
        public var camera: RenderCamera
        public var renderMilliseconds: Double
    }

    public static func write(_ options: SynthOptions, video: String, mask maskPath: String? = nil,
                             truth: (Int, SynthScene.Truth) throws -> Void) throws -> Summary {
        guard options.width >= 64, options.height >= 64, options.width <= 4096, options.height <= 4096 else {
            throw RenderError("synth: size \(options.width)x\(options.height) must be 64 to 4096 pixels a side")
        }
        guard options.frames > 0, options.frames <= 100_000 else {
            throw RenderError("synth: \(options.frames) frames; give 1 to 100000")
        }
        // 4:2:0 video needs even sizes; render at the encoded size so truth and pixels agree.
        let w = options.width & ~1, h = options.height & ~1
        let model = HandModel.builtIn(side: options.side)
        let animation = SynthAnimation(model: model, frameCount: options.frames, fps: options.fps, seed: options.seed)
        let scene = SynthScene(width: w, height: h, model: model, shape: animation.shape, seed: options.seed,
                               background: options.background)
        let writer = try VideoWriter(path: video, width: w, height: h, fps: options.fps)
        let maskWriter = try maskPath.map { try VideoWriter(path: $0, width: w, height: h, fps: options.fps) }
        let image = PixelBuffer(width: w, height: h)
        let maskImage = PixelBuffer(width: w, height: h)
        var mask = [UInt8](repeating: 0, count: w * h)
        var renderSeconds = 0.0
        for i in 0..<options.frames {
            let start = DispatchTime.now().uptimeNanoseconds
            let t = scene.render(animation.pose(at: i), into: image, mask: &mask)
            renderSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            try writer.write(image)
            if let maskWriter {
                maskImage.withUnsafeMutableBytes { raw in
                    let px = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                    for y in 0..<h {
                        for x in 0..<w {
                            let v = mask[y * w + x], q = px + y * maskImage.rowBytes + 3 * x
                            q[0] = v
                            q[1] = v
                            q[2] = v
                        }
                    }
                }
                try maskWriter.write(maskImage)
            }
            try truth(i, t)
        }
        try writer.finish()
        try maskWriter?.finish()
        return Summary(frames: options.frames, codec: writer.codecName, camera: scene.camera,
                       renderMilliseconds: renderSeconds * 1000 / Double(options.frames))
    }
}
