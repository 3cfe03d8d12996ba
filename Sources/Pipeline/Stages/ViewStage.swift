/// Hands each frame and its fitted hands to a live view (`--output view:…`) through its slot: a
/// copy of the picture and the parameters, never a wait, so a slow or absent browser costs the
/// pipeline one memory copy a frame.
public struct ViewStage: FrameStage {
    public let name = "view"
    public var reads: Set<FramePart> { [.frame, .fit] }
    private let slot: ViewFrameSlot

    public init(slot: ViewFrameSlot) {
        self.slot = slot
    }

    public mutating func process(_ work: inout FrameWork) {
        slot.put(work, camera: work.renderCamera)
    }
}
