import Records

/// A place records go. Each call hands over one complete line (ending in a newline); a sink
/// writes it whole or not at all, and is safe to call from several pipelines at once.
public protocol RecordSink: AnyObject, Sendable, CustomStringConvertible {
    /// `kind` and `stream` let a sink keep what late joiners need (the socket server replays
    /// the header of every running stream to a client that connects mid-stream).
    func write(_ line: [UInt8], kind: RecordKind, stream: String)
    /// Reopens whatever the sink writes to, after logrotate has moved it (SIGHUP).
    func reopen()
    /// Writes out what is pending and releases the sink; later writes are ignored.
    func close()
    /// True once the sink can never take a record again (the reader of its pipe went away): a
    /// pipeline whose every sink is gone stops reading rather than decode for nobody.
    var isGone: Bool { get }
    /// Records of `stream` this sink had to drop (a full buffer while its receiver was away).
    func dropped(stream: String) -> Int
}

extension RecordSink {
    public func reopen() {}
    public var isGone: Bool { false }
    public func dropped(stream: String) -> Int { 0 }
}
