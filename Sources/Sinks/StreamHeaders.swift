import Records

/// The header line of each stream that has started and not ended: what a sink hands to whatever
/// joins mid-stream (a socket client that connects, a file reopened after logrotate).
struct StreamHeaders {
    private(set) var lines: [[UInt8]] = []
    private var streams: [String] = []

    /// Takes note of a line the sink is writing: a header replaces its stream's, an end drops it.
    mutating func note(_ line: [UInt8], kind: RecordKind, stream: String) {
        guard kind == .header || kind == .end else { return }
        if let i = streams.firstIndex(of: stream) {
            streams.remove(at: i)
            lines.remove(at: i)
        }
        if kind == .header {
            streams.append(stream)
            lines.append(line)
        }
    }
}
