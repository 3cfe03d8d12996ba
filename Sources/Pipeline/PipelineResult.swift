import Records

/// How a pipeline ended; the same totals as its end record.
public struct PipelineResult: Sendable, Equatable {
    public var reason: EndRecord.Reason
    public var decoded: Int
    public var processed: Int
    public var dropped: Int
    public var corrupt: Int
    public var losses: Int
    public var reconnects: Int
    public var seconds: Double
    /// Why the source gave up, for `.failed`.
    public var detail: String?
    /// Stopped because every sink was gone for good (`RecordSink.isGone`).
    public var outputsLost = false

    /// Whether some of the input was damaged and skipped.
    public var damaged: Bool { corrupt > 0 }
}
