import Configuration
import Dispatch
import Foundation
import Logging
import Metrics
import Sinks
import Video

/// Keeps one configured stream running for `serve`: opens its sinks once (so socket clients stay
/// connected across restarts), opens the input, runs a pipeline, and when the input cannot be
/// opened or a live input fails, tries again after a growing delay. A file input that ends is
/// done. Nothing here touches other streams.
public final class StreamSupervisor: @unchecked Sendable {
    public enum State: Sendable, Equatable {
        case starting
        case running
        /// Waiting to retry after `reason`.
        case retrying(reason: String)
        /// The input ended (a file), or retries ran out (`failed` true).
        case finished(failed: Bool)
        case stopped
    }

    public let config: StreamConfig
    /// Counters and histograms across all of this stream's pipelines, when metrics are served.
    public let metrics: StreamMetrics?
    private let logger: Logger
    private let makeStages: @Sendable (StreamSettings, Logger) throws -> [any FrameStage]
    private let lock = NSLock()
    private let wake = DispatchSemaphore(value: 0)
    private let firstAttempt = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private var stopRequested = false
    private var current: Pipeline?
    private var sinks: SinkSet?
    private var currentState = State.starting
    private var totalProcessed = 0

    public init(config: StreamConfig, logger: Logger, metrics: StreamMetrics? = nil,
                makeStages: @escaping @Sendable (StreamSettings, Logger) throws -> [any FrameStage] = { try StandardStages.make(for: $0, logger: $1) }) {
        self.config = config
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "stream"] = .string(config.name)
        self.logger = logger
        self.makeStages = makeStages
    }

    public var state: State {
        lock.lock()
        defer { lock.unlock() }
        return currentState
    }

    /// Whether the stream is doing its work now: running, or done with a file that ended.
    public var hasRun: Bool {
        switch state {
        case .running, .finished(failed: false): true
        default: false
        }
    }

    /// Frames written by all of this stream's pipelines so far.
    public var processed: Int {
        lock.lock()
        defer { lock.unlock() }
        return totalProcessed + (current?.status.snapshot.processed ?? 0)
    }

    /// Alive means: not stuck. Waiting to retry is alive; so is a pipeline that progresses or
    /// that waits on its source with nothing in flight.
    public func isHealthy(stallSeconds: Double) -> Bool {
        lock.lock()
        let pipeline = current
        lock.unlock()
        return pipeline?.status.isHealthy(stallSeconds: stallSeconds) ?? true
    }

    public func start() {
        DispatchQueue(label: "handmesh.supervisor.\(config.name)").async { [self] in
            supervise()
            done.signal()
        }
    }

    /// Blocks until the first attempt to open the stream has succeeded or failed.
    public func waitForFirstAttempt(timeout seconds: Double) -> Bool {
        guard firstAttempt.wait(timeout: .now() + seconds) == .success else { return false }
        firstAttempt.signal()
        return true
    }

    /// Stops the stream, draining its pipeline.
    public func stop() {
        lock.lock()
        stopRequested = true
        let pipeline = current
        lock.unlock()
        pipeline?.stop()
        wake.signal()
    }

    /// Blocks until the stream has stopped or finished and its sinks are closed.
    public func wait(timeout seconds: Double) -> Bool {
        guard done.wait(timeout: .now() + seconds) == .success else { return false }
        done.signal()
        return true
    }

    /// The stream's open outputs (none before its first attempt or after it ends).
    public var openSinks: [any RecordSink] {
        lock.lock()
        defer { lock.unlock() }
        return sinks?.sinks ?? []
    }

    /// Reopens the stream's files (SIGHUP).
    public func reopenOutputs() {
        lock.lock()
        let sinks = self.sinks
        lock.unlock()
        sinks?.reopen()
    }

    private var isStopRequested: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopRequested
    }

    private func setState(_ state: State) {
        lock.lock()
        currentState = state
        lock.unlock()
    }

    private func supervise() {
        let settings = config.settings
        var failures = 0
        var signalledFirstAttempt = false
        func attempted() {
            if !signalledFirstAttempt {
                signalledFirstAttempt = true
                firstAttempt.signal()
            }
        }
        defer {
            attempted()
            lock.lock()
            let sinks = self.sinks
            self.sinks = nil
            if case .finished = currentState {} else { currentState = .stopped }
            lock.unlock()
            sinks?.close()
        }

        while !isStopRequested {
            let failure: String
            do {
                let pipeline = try openPipeline(settings: settings)
                lock.lock()
                let stopping = stopRequested
                current = pipeline
                currentState = .running
                lock.unlock()
                attempted()
                if stopping { pipeline.stop() }
                logger.info("stream \(config.name): running \(config.input)")
                pipeline.start()
                let result = pipeline.wait()
                lock.lock()
                current = nil
                totalProcessed += result.processed
                lock.unlock()
                if isStopRequested { return }
                if result.outputsLost {
                    // Its outputs are opened once and kept; a restart would find them gone too.
                    logger.error("stream \(config.name): every output is gone; giving up")
                    setState(.finished(failed: true))
                    return
                }
                if result.reason == .eof {
                    logger.info("stream \(config.name): input ended after \(result.processed) frames")
                    setState(.finished(failed: false))
                    return
                }
                if result.processed > 0 { failures = 0 }
                failure = result.detail ?? "the input ended"
            } catch {
                attempted()
                failure = "\(error)"
            }
            failures += 1
            if let limit = settings.reconnect.maxAttempts, failures >= limit {
                logger.error("stream \(config.name): giving up after \(failures) attempt(s): \(failure)")
                setState(.finished(failed: true))
                return
            }
            let delay = min(settings.reconnect.initialDelay * pow(2, Double(min(failures - 1, 30))), settings.reconnect.maxDelay)
            logger.error("stream \(config.name): \(failure); retrying in \(Self.format(delay)) s")
            setState(.retrying(reason: failure))
            _ = wake.wait(timeout: .now() + delay)
        }
    }

    private func openPipeline(settings: StreamSettings) throws -> Pipeline {
        lock.lock()
        var sinks = self.sinks
        lock.unlock()
        if sinks == nil {
            let specs = try config.outputs.map { try SinkSpec(parsing: $0) }
            let opened = try SinkSet(opening: specs, options: settings.sinkOptions, logger: logger)
            lock.lock()
            self.sinks = opened
            lock.unlock()
            sinks = opened
        }
        // The source opens first: whether its frames are still images decides how the stages run.
        let source = try VideoSource(try InputSpec(parsing: config.input), options: settings.sourceOptions)
        let resolved = settings.resolved(for: source)
        let stages = try makeStages(resolved, logger)
        var options = PipelineOptions()
        options.metrics = metrics
        return Pipeline(source: source, stages: stages, sinks: sinks!, context: resolved.context(stream: config.name),
                        options: options, logger: logger)
    }

    private static func format(_ seconds: Double) -> String {
        String(Int((seconds * 10).rounded()) / 10) + "." + String(Int((seconds * 10).rounded()) % 10)
    }
}
