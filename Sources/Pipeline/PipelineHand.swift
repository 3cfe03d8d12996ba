import Evidence

/// One hand on its way through the pipeline, as MediaPipe's graph nodes pass typed packets: the
/// evidence stage's `HandEvidence`, then the fitting stage's `FittedHand`. Both are inline values,
/// so a frame's hands go from stage to stage without touching the heap; the record is built from
/// them once, where the frame leaves the pipeline (`HandRecord.init(_:)`).
public struct PipelineHand: Sendable {
    /// What the evidence stage (or the mask regressor) saw: track, label, landmarks, ROI.
    public var evidence: HandEvidence
    /// What the fitting stage made of it; nil until then.
    public var fit: FittedHand?

    public init(evidence: HandEvidence, fit: FittedHand? = nil) {
        self.evidence = evidence
        self.fit = fit
    }

    public var track: Int { evidence.track }
}
