/// What `VideoSource.next()` reports.
public enum SourceEvent: Sendable {
    /// A decoded frame.
    case frame(Frame)
    /// `packets` damaged packets or frames were skipped (or concealed) since the previous event; `detail` says
    /// what FFmpeg reported for the first of them.
    case corrupt(packets: Int, detail: String)
    /// A live source stopped delivering (error, end of stream, read timeout). Reconnect attempts follow; when they
    /// run out, a last `.lost` saying so comes before `.end`.
    case lost(reason: String)
    /// The source is back after `attempt` attempts since the loss.
    case reconnected(attempt: Int)
    /// No more events: the input ended, the source gave up, or it was cancelled. Every later call returns `.end`.
    case end
}
