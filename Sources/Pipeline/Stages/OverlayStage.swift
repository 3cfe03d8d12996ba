import HandModel
import Logging
import Records
import Render
import Video

/// Draws each frame's fitted hands (shaded mesh, joints, bones) over the frame and encodes the
/// result as a video (`run --overlay PATH.mp4`). It comes last, after fitting, and leaves the
/// records untouched; its time shows as `overlay` in `stage_ms`.
public struct OverlayStage: FrameStage {
    public let name = "overlay"
    private let state: OverlayState

    /// `fps` is the input's frame rate (the encoder's time base); the writer opens on the first
    /// frame, when the frame size is known.
    public init(path: String, fps: Double, handModel: String = "builtin", logger: Logger) throws {
        state = OverlayState(path: path, fps: fps, logger: logger,
                             right: try HandModel.named(handModel, side: .right),
                             left: try HandModel.named(handModel, side: .left))
    }

    public mutating func process(_ work: inout FrameWork) { state.process(work) }
    public mutating func finish() { state.finish() }
}

/// The encoder and its reused hand list. Used from the stage's queue only (FrameStage's contract);
/// the writer holds FFmpeg state, hence the unchecked conformance, confined to this file.
private final class OverlayState: @unchecked Sendable {
    let path: String
    let fps: Double
    let logger: Logger
    let right: HandModel
    let left: HandModel
    var writer: OverlayWriter?
    var failed = false
    var hands: [OverlayRenderer.Hand] = []

    init(path: String, fps: Double, logger: Logger, right: HandModel, left: HandModel) {
        self.path = path
        self.fps = fps
        self.logger = logger
        self.right = right
        self.left = left
    }

    func process(_ work: FrameWork) {
        guard !failed else { return }
        if writer == nil {
            do {
                writer = try OverlayWriter(path: path, width: work.frame.width, height: work.frame.height, fps: fps,
                                           camera: camera(work), right: right, left: left)
            } catch {
                failed = true
                logger.error("overlay \(path): \(error)")
                return
            }
        }
        hands.removeAll(keepingCapacity: true)
        for h in work.hands {
            guard let g = h.globalOrient, let p = h.pose, let s = h.shape, let t = h.transl else { continue }
            let parameters = HandParameters(globalOrient: SIMD3(Double(g[0]), Double(g[1]), Double(g[2])),
                                            pose: p.map(Double.init), shape: s.map(Double.init),
                                            transl: SIMD3(Double(t[0]), Double(t[1]), Double(t[2])))
            let keypoints = h.joints2d.map { j in stride(from: 0, to: j.count - 1, by: 2).map { SIMD2(j[$0], j[$0 + 1]) } }
            hands.append(OverlayRenderer.Hand(parameters: parameters, side: h.handedness == .left ? .left : .right,
                                              keypoints2D: keypoints))
        }
        do {
            try writer?.write(work.frame.pixels, hands: hands)
        } catch {
            failed = true
            logger.error("overlay \(path): \(error)")
        }
    }

    func finish() {
        do { try writer?.finish() } catch { logger.error("overlay \(path): \(error)") }
        writer = nil
    }

    /// The fitting's camera: the stream's intrinsics, or the same default field of view.
    func camera(_ work: FrameWork) -> RenderCamera {
        guard let c = work.context.camera else {
            return RenderCamera(width: work.frame.width, height: work.frame.height)
        }
        let d = c.distortion.map(Float.init) + [Float](repeating: 0, count: max(0, 5 - c.distortion.count))
        return RenderCamera(fx: Float(c.fx), fy: Float(c.fy), cx: Float(c.cx), cy: Float(c.cy),
                            k1: d[0], k2: d[1], p1: d[2], p2: d[3], k3: d[4])
    }
}
