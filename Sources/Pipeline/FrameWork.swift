import Records
import Render
import Silhouette
import Video

/// One frame on its way through the pipeline, and the hands the stages find in it.
///
/// The evidence stage appends a `PipelineHand` per detected hand, its `HandEvidence`; the fitting
/// stage adds each one's `FittedHand`. The frame's record is built from `hands` after the last
/// stage. The list is reserved for the stream's `max_hands` when the frame is made (at decode), so
/// the stages append without allocating.
public struct FrameWork: Sendable {
    public var frame: Frame
    public var hands: [PipelineHand]
    /// The frame's hand mask (white hand on black, decoded like any video frame), when the stream has
    /// one: the paired mask video's frame, or the frame itself when the input is a mask video.
    public var mask: Frame?
    /// The hand's region in the mask, when a stage found it (mask-only streams): the silhouette fit
    /// compares over it, so that parts of the hand the first estimate missed still pull.
    public var maskRegion: MaskRegion?
    /// Where the mask's forearm was cut away (mask-only streams); `.none` when nothing was.
    public var maskCut: WristCut
    /// What the stream knows about its camera and output, for the stages that need it.
    public let context: StreamContext
    /// Milliseconds per stage: decode first, then each stage in order.
    public internal(set) var stageMilliseconds: StageTimes

    public init(frame: Frame, context: StreamContext, decodeMilliseconds: Double = 0) {
        self.frame = frame
        self.hands = []
        self.hands.reserveCapacity(context.maxHands)
        self.mask = nil
        self.maskRegion = nil
        self.maskCut = .none
        self.context = context
        self.stageMilliseconds = StageTimes()
        self.stageMilliseconds[0] = decodeMilliseconds
    }
}

/// Per-stream facts every frame shares (one instance, referenced, never copied per frame).
public final class StreamContext: Sendable {
    public let stream: String
    /// Intrinsics of the decoded frames, when the config gives them.
    public let camera: CameraDescription?
    /// Whether frames are a mirrored (selfie) view: it decides only what the hands are called.
    public let mirrored: Bool
    public let maxHands: Int
    /// Whether frame records should carry mesh vertices.
    public let wantsVertices: Bool
    /// Whether frames are independent photos: each detected afresh and fitted cold, with no temporal
    /// term, no smoothing and no shape carried over. Resolved: the config's `still_images`, else true
    /// for single images, folders and manifests.
    public let stillImages: Bool
    /// How the fits are smoothed, as the header names it ("two-pass", "causal", "off"); nil when
    /// the stages were not made from settings.
    public let smoothing: String?

    public init(stream: String, camera: CameraDescription? = nil, mirrored: Bool = false, maxHands: Int = 2,
                wantsVertices: Bool = false, stillImages: Bool = false, smoothing: String? = nil) {
        self.stream = stream
        self.camera = camera
        self.mirrored = mirrored
        self.maxHands = maxHands
        self.wantsVertices = wantsVertices
        self.stillImages = stillImages
        self.smoothing = smoothing
    }
}
