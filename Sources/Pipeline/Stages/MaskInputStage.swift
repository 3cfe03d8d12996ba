import Logging
import Video

/// Pairs each frame with the mask video's frame of the same time (white hand on black) and puts it in
/// `work.mask`, where the fitting stage's silhouette term finds it. It comes first, so the mask decodes
/// on its own queue while the evidence stage works.
///
/// The mask must have the input's size after scaling (both are scaled by the same `max_dimension`).
/// A mask that ends early, breaks or has another size is reported once, naming the file, and the
/// frames go on without a mask: the keypoints still fit them.
public struct MaskInputStage: FrameStage {
    public let name = "mask"
    public var writes: Set<FramePart> { [.mask] }
    private let state: MaskInputState

    /// Opens `input` (anything FFmpeg reads, as for `input`) with the stream's source options.
    public init(input: String, options: SourceOptions, logger: Logger) throws {
        var options = options
        // A mask is read in step with the input, never paced or dropped on its own.
        options.realtime = false
        let source = try VideoSource(try InputSpec(parsing: input), options: options)
        state = MaskInputState(input: input, source: source, logger: logger)
    }

    public mutating func process(_ work: inout FrameWork) { state.process(&work) }
    public mutating func finish() { state.source?.cancel() }
}

/// The mask's source, read on the stage's queue only (FrameStage's contract); VideoSource holds
/// FFmpeg state, hence the unchecked conformance, confined to this file.
private final class MaskInputState: @unchecked Sendable {
    let input: String
    let logger: Logger
    var source: VideoSource?
    /// A mask frame read ahead: it belongs to a later input frame.
    var pending: Frame?
    var delivered = 0
    /// Frames pair when their times differ by less than half a frame.
    let tolerance: Double

    init(input: String, source: VideoSource, logger: Logger) {
        self.input = input
        self.source = source
        self.logger = logger
        tolerance = 0.5 / (source.frameRate ?? 30)
    }

    func process(_ work: inout FrameWork) {
        guard let mask = mask(at: work.frame.pts) else { return }
        guard mask.width == work.frame.width, mask.height == work.frame.height else {
            stop("is \(mask.width)x\(mask.height) but the input is \(work.frame.width)x\(work.frame.height)")
            return
        }
        work.mask = mask
    }

    /// The mask frame shown at `time`: pairing by presentation time keeps input and mask in step
    /// when either skips a damaged frame. Nil when the mask has no frame for that time.
    private func mask(at time: Double) -> Frame? {
        while true {
            if let frame = pending {
                if frame.pts > time + tolerance { return nil }
                pending = nil
                if frame.pts >= time - tolerance { return frame }
                continue
            }
            guard let source else { return nil }
            switch source.next() {
            case .frame(let frame):
                delivered += 1
                pending = frame
            case .corrupt(let packets, let detail):
                logger.warning("mask \(input): skipped \(packets) damaged packet(s): \(detail)")
            case .lost(let reason):
                stop("was lost: \(reason)")
            case .reconnected:
                continue
            case .end:
                stop("ended after \(delivered) frames; later frames have no mask")
            }
        }
    }

    private func stop(_ what: String) {
        logger.error("mask \(input) \(what)")
        source?.cancel()
        source = nil
    }
}
