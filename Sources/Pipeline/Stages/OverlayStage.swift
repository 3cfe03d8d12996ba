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
    public var reads: Set<FramePart> { [.frame, .fit] }
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
                                           camera: work.renderCamera, right: right, left: left)
            } catch {
                failed = true
                logger.error("overlay \(path): \(error)")
                return
            }
        }
        hands.removeAll(keepingCapacity: true)
        for h in work.hands {
            if let hand = OverlayRenderer.Hand(h) { hands.append(hand) }
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
}
