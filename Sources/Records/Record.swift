/// Every line of output is one of these, and its `type` field says which.
public enum Record: Sendable {
    case header(HeaderRecord)
    case frame(FrameRecord)
    case dropped(DroppedRecord)
    case source(SourceRecord)
    case end(EndRecord)
    case error(ErrorRecord)

    public var kind: RecordKind {
        switch self {
        case .header: .header
        case .frame: .frame
        case .dropped: .dropped
        case .source: .source
        case .end: .end
        case .error: .error
        }
    }

    /// The stream the record belongs to.
    public var stream: String {
        switch self {
        case .header(let record): record.stream
        case .frame(let record): record.stream
        case .dropped(let record): record.stream
        case .source(let record): record.stream
        case .end(let record): record.stream
        case .error(let record): record.stream
        }
    }

    public func encode(into json: inout JSONWriter) {
        switch self {
        case .header(let record): record.encode(into: &json)
        case .frame(let record): record.encode(into: &json)
        case .dropped(let record): record.encode(into: &json)
        case .source(let record): record.encode(into: &json)
        case .end(let record): record.encode(into: &json)
        case .error(let record): record.encode(into: &json)
        }
    }
}

public enum RecordKind: String, Sendable, CaseIterable {
    case header, frame, dropped, source, end, error
}

/// The version of the record format, written in every header. Minor versions add optional fields;
/// a major version change means a reader must be updated.
public enum RecordSchema {
    public static let version = "1.5"
}

extension JSONWriter {
    /// Replaces the buffer's contents with `record` as one complete line, newline included.
    public mutating func encodeLine(_ record: Record) {
        reset()
        record.encode(into: &self)
        newline()
    }

    /// The fields every record starts with.
    mutating func recordPrologue(_ kind: RecordKind, stream: String) {
        beginObject()
        key("type"); string(kind.rawValue)
        key("stream"); string(stream)
    }
}
