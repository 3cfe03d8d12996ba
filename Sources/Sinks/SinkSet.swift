import Logging
import Records

/// Several sinks written as one; a pipeline writes each line here once.
public struct SinkSet: Sendable {
    public let sinks: [any RecordSink]

    public init(_ sinks: [any RecordSink]) {
        self.sinks = sinks
    }

    /// Opens every spec, closing the ones already opened if a later one fails.
    public init(opening specs: [SinkSpec], options: SinkOptions, logger: Logger) throws {
        var opened: [any RecordSink] = []
        do {
            for spec in specs {
                opened.append(try Self.open(spec, options: options, logger: logger))
            }
        } catch {
            opened.forEach { $0.close() }
            throw error
        }
        sinks = opened
    }

    public static func open(_ spec: SinkSpec, options: SinkOptions, logger: Logger) throws -> any RecordSink {
        switch spec {
        case .standardOutput:
            FileSink(standardOutputWith: logger)
        case .file(let path):
            try FileSink(path: path, logger: logger)
        case .unixSocket(let path):
            try UnixSocketSink(path: path, options: options, logger: logger)
        case .mqtt(let address):
            try MQTTSink(address: address, options: options, logger: logger)
        case .view:
            // The view needs the frames too: `handmesh run` opens it beside the pipeline's stages.
            throw SinkError(sink: spec.description, message: "a view output is served by handmesh run only")
        }
    }

    public func write(_ line: [UInt8], kind: RecordKind, stream: String) {
        for sink in sinks {
            sink.write(line, kind: kind, stream: stream)
        }
    }

    /// Whether no sink will ever take a record again (and there was at least one).
    public var allGone: Bool {
        !sinks.isEmpty && sinks.allSatisfy(\.isGone)
    }

    /// Records of `stream` dropped by any sink.
    public func dropped(stream: String) -> Int {
        sinks.reduce(0) { $0 + $1.dropped(stream: stream) }
    }

    public func reopen() {
        sinks.forEach { $0.reopen() }
    }

    public func close() {
        sinks.forEach { $0.close() }
    }
}
