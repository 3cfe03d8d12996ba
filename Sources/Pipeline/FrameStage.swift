import Records

/// One step of per-frame work between decoding and the sinks (crop + evidence, regression +
/// refinement, …). Each stage runs on its own serial queue and sees every frame in order, so it
/// may keep per-track state in its own properties and carry it from one frame to the next
/// (the previous fit, for a warm start). Adding or swapping a stage touches no other code: the
/// pipeline times it, names it in the header and in each frame's `stage_ms`, and passes the
/// `FrameWork` on.
///
/// A stage is `Sendable` because it is moved onto its queue; it is used from that queue only.
///
/// Like a MediaPipe graph node naming its input and output streams, a stage declares the parts of
/// the frame's work it needs (`reads`) and fills (`writes`); the pipeline checks when it is built
/// that every part a stage needs comes from decoding or from a stage before it.
public protocol FrameStage: Sendable {
    /// Names the stage in `stage_ms` and the header's `stages`; short, snake_case.
    var name: String { get }
    /// The parts of `FrameWork` this stage needs filled before it runs.
    var reads: Set<FramePart> { get }
    /// The parts it fills.
    var writes: Set<FramePart> { get }
    /// The models the stage loaded, for the header.
    var models: [ModelDescription] { get }
    /// Does this stage's work on one frame, filling `work.hands`.
    mutating func process(_ work: inout FrameWork)
    /// Called once after the last frame, on the stage's queue: close files the stage writes.
    mutating func finish()
    /// How many later frames this stage must see before a frame's work is done: 0 for a stage whose
    /// frames leave as they are processed; n for a smoother that improves frame t with frames up to
    /// t + n. The pipeline holds each frame (and the records among the frames) until then.
    var lookahead: Int { get }
    /// A held frame's last call, in order, once `lookahead` later frames were processed or the
    /// stream ended: the stage finishes the frame's fields.
    mutating func complete(_ work: inout FrameWork)
}

/// The parts of a frame's work that stages hand each other.
public enum FramePart: String, Sendable, CaseIterable {
    /// The decoded picture (decoding fills it).
    case frame
    /// The frame's hand mask (`FrameWork.mask`, and `maskRegion` when a stage found the blob).
    case mask
    /// Each hand's `HandEvidence`: `FrameWork.hands` appended.
    case evidence
    /// Each hand's `FittedHand`.
    case fit

    /// Nil when every stage's `reads` come from decoding or an earlier stage's `writes`; otherwise
    /// the first stage that reads a part nothing filled, and that part, in one line.
    public static func wiringProblem(_ stages: [any FrameStage]) -> String? {
        var filled: Set<FramePart> = [.frame]
        for stage in stages {
            if let missing = stage.reads.subtracting(filled).map(\.rawValue).sorted().first {
                return "stage \(stage.name) reads \(missing), which no stage before it writes (stages: \(stages.map(\.name).joined(separator: ", ")))"
            }
            filled.formUnion(stage.writes)
        }
        return nil
    }
}

extension FrameStage {
    public var reads: Set<FramePart> { [.frame] }
    public var writes: Set<FramePart> { [] }
    public var models: [ModelDescription] { [] }
    public mutating func finish() {}
    public var lookahead: Int { 0 }
    public mutating func complete(_ work: inout FrameWork) {}
}
