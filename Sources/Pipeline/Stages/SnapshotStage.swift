import Foundation
import HandModel
import Logging
import Records
import Render

/// On request (`SnapshotTrigger`, SIGUSR1 for `handmesh`), writes the next frame with its fitted
/// hands drawn as a PNG at `path`, replacing the previous one atomically (written beside it, then
/// renamed), so a reader never sees half a picture. Between requests it costs one lock per frame.
public struct SnapshotStage: FrameStage {
    public let name = "snapshot"
    public var reads: Set<FramePart> { [.frame, .fit] }
    private let state: SnapshotState

    public init(path: String, trigger: SnapshotTrigger, handModel: String = "builtin", logger: Logger) throws {
        state = SnapshotState(path: path, trigger: trigger, logger: logger,
                              right: try HandModel.named(handModel, side: .right),
                              left: try HandModel.named(handModel, side: .left))
    }

    public mutating func process(_ work: inout FrameWork) { state.process(work) }
}

/// The renderer, made on the first request; used from the stage's queue only (FrameStage's
/// contract), hence the unchecked conformance, confined to this file.
private final class SnapshotState: @unchecked Sendable {
    let path: String
    let trigger: SnapshotTrigger
    let logger: Logger
    let right: HandModel
    let left: HandModel
    var served: Int
    var renderer: OverlayRenderer?

    init(path: String, trigger: SnapshotTrigger, logger: Logger, right: HandModel, left: HandModel) {
        self.path = path
        self.trigger = trigger
        self.logger = logger
        self.right = right
        self.left = left
        served = trigger.generation
    }

    func process(_ work: FrameWork) {
        let wanted = trigger.generation
        guard wanted != served else { return }
        served = wanted
        let camera = work.renderCamera
        if renderer?.width != work.frame.width || renderer?.height != work.frame.height || renderer?.camera != camera {
            renderer = OverlayRenderer(width: work.frame.width, height: work.frame.height, camera: camera, right: right, left: left)
        }
        let temporary = path + ".partial"
        do {
            let png = try renderer!.snapshotPNG(work.frame.pixels, hands: work.hands.compactMap(OverlayRenderer.Hand.init))
            try Data(png).write(to: URL(fileURLWithPath: temporary))
            guard rename(temporary, path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
            logger.info("snapshot of frame \(work.frame.index) written to \(path)")
        } catch {
            unlink(temporary)
            logger.error("snapshot \(path): \(error.localizedDescription)")
        }
    }
}
