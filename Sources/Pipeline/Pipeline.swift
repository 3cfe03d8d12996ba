import Dispatch
import Fitting
import Foundation
import Logging
import Metrics
import Records
import Sinks
import Video

/// One source, its stages and its sinks, each on its own Dispatch queue, joined by bounded
/// queues: decode → stage 1 → … → stage n → sinks. Frames keep their order because every stage
/// is a single serial loop.
///
/// Files are read losslessly: a full queue blocks the decoder. Live sources are never blocked:
/// a frame that arrives while `maxInFlight` frames are in the pipeline is dropped at the
/// entrance, and each run of drops becomes one `dropped` record.
///
/// The output is a header, one frame record per admitted frame, `dropped`, `source` and
/// `error` records in their place among the frames, and an end record last, also after `stop()`.
public final class Pipeline: Sendable {
    public let context: StreamContext
    public let status = PipelineStatus()
    private let source: VideoSource
    private let stages: [any FrameStage]
    private let sinks: SinkSet
    private let options: PipelineOptions
    private let logger: Logger
    private let header: HeaderRecord
    private let control = Control()

    /// Start-once, stop and result, shared between the caller and the pipeline's queues.
    private final class Control: @unchecked Sendable {
        private let lock = NSLock()
        private var started = false
        private var stopRequested = false
        private var result: PipelineResult?
        let done = DispatchSemaphore(value: 0)

        func markStarted() -> Bool {
            lock.lock()
            defer { lock.unlock() }
            if started { return false }
            started = true
            return true
        }

        var isStopRequested: Bool {
            lock.lock()
            defer { lock.unlock() }
            return stopRequested
        }

        func requestStop() {
            lock.lock()
            stopRequested = true
            lock.unlock()
        }

        func finish(with result: PipelineResult) {
            lock.lock()
            self.result = result
            lock.unlock()
            done.signal()
        }

        var finalResult: PipelineResult? {
            lock.lock()
            defer { lock.unlock() }
            return result
        }
    }

    public init(source: VideoSource, stages: [any FrameStage], sinks: SinkSet, context: StreamContext,
                options: PipelineOptions = PipelineOptions(), logger: Logger) {
        // Stages are wired in code (`StandardStages`), so a stage reading what no earlier one writes
        // is a programming error, caught before any frame runs.
        if let problem = FramePart.wiringProblem(stages) { preconditionFailure(problem) }
        self.source = source
        self.stages = stages
        self.sinks = sinks
        self.context = context
        self.options = options
        self.logger = logger
        let kind = source.spec.kind == .imageSequence ? "image_sequence" : source.spec.kind.rawValue
        header = HeaderRecord(
            stream: context.stream,
            input: InputDescription(description: source.spec.text, kind: kind, live: source.isLive,
                                    format: source.description, width: source.width, height: source.height,
                                    frameRate: source.frameRate, images: source.stillImageCount),
            models: stages.flatMap(\.models),
            stages: ["decode"] + stages.map(\.name),
            // Photos each carry the camera they were fitted with (`image.camera`).
            camera: context.stillImages ? context.camera : context.camera ?? Self.assumedCamera(width: source.width, height: source.height),
            cameraSource: context.stillImages ? .perImage : context.camera != nil ? .config : .assumed,
            mirrored: context.mirrored,
            maxHands: context.maxHands,
            stillImages: context.stillImages,
            smoothing: context.smoothing,
            time: WallClock.now())
    }

    /// The camera the fit assumes without intrinsics (`FrameWork.pinholeCamera`), for the header.
    static func assumedCamera(width: Int, height: Int) -> CameraDescription? {
        guard width > 0, height > 0 else { return nil }
        let c = PinholeCamera.defaultCamera(width: width, height: height)
        return CameraDescription(fx: c.fx, fy: c.fy, cx: c.cx, cy: c.cy, distortion: [0, 0, 0, 0, 0])
    }

    /// Stage names in `stage_ms` order.
    public var stageNames: [String] { header.stages }

    /// Starts the queues; returns at once.
    public func start() {
        guard control.markStarted() else { return }
        let queues = (0...stages.count).map { _ in BoundedQueue<PipelineItem>(capacity: options.queueCapacity) }
        let limiter = source.isLive ? FlowLimiter(limit: options.maxInFlight ?? (stages.count + 1)) : nil
        let stream = context.stream

        DispatchQueue(label: "handmesh.\(stream).sinks").async { [self] in
            writeRecords(from: queues[stages.count], limiter: limiter)
        }
        for (i, stage) in stages.enumerated() {
            DispatchQueue(label: "handmesh.\(stream).\(stage.name)").async {
                Self.run(stage, slot: i + 1, from: queues[i], to: queues[i + 1])
            }
        }
        DispatchQueue(label: "handmesh.\(stream).decode").async { [self] in
            decode(into: queues[0], limiter: limiter)
        }
    }

    /// Stops reading; what was decoded is still processed and written, then the end record.
    public func stop() {
        control.requestStop()
        source.cancel()
    }

    /// Blocks until the end record has been written.
    public func wait() -> PipelineResult {
        control.done.wait()
        control.done.signal()
        return control.finalResult!
    }

    /// Blocks until the end record has been written or `seconds` have passed.
    public func wait(timeout seconds: Double) -> PipelineResult? {
        guard control.done.wait(timeout: .now() + seconds) == .success else { return nil }
        control.done.signal()
        return control.finalResult
    }

    // MARK: The decode stage

    private func decode(into entrance: BoundedQueue<PipelineItem>, limiter: FlowLimiter?) {
        entrance.push(.record(.header(header)))
        var totals = SourceTotals()
        var dropRun: DropRun?
        var lastIndex: Int?
        var lostReason: String?

        func flushDrops() {
            if let run = dropRun {
                entrance.push(.record(.dropped(DroppedRecord(stream: context.stream, count: run.count, firstIndex: run.first,
                                                             lastIndex: run.last, time: WallClock.now()))))
                dropRun = nil
            }
        }

        reading: while true {
            let start = MonotonicClock.nanoseconds()
            let event = source.next()
            switch event {
            case .frame(let frame):
                totals.decoded += 1
                lastIndex = frame.index
                lostReason = nil
                if let limiter, !limiter.tryAdmit() {
                    totals.dropped += 1
                    if dropRun == nil {
                        dropRun = DropRun(index: frame.index)
                    } else {
                        dropRun!.extend(frame.index)
                    }
                    status.update { $0.decoded += 1; $0.dropped += 1 }
                    options.metrics?.decoded(dropped: true)
                    continue
                }
                flushDrops()
                status.update { $0.decoded += 1 }
                options.metrics?.decoded(dropped: false)
                // A live source's next() mostly waits for the camera; what the frame cost to
                // produce is at most the time since its capture.
                var milliseconds = MonotonicClock.milliseconds(since: start)
                if source.isLive, frame.captureTime > 0 {
                    milliseconds = max(0, min(milliseconds, (WallClock.now() - frame.captureTime) * 1000))
                }
                entrance.push(.work(FrameWork(frame: frame, context: context, decodeMilliseconds: milliseconds)))
            case .corrupt(let packets, let detail):
                totals.corrupt += packets
                status.update { $0.corrupt += packets }
                logger.warning("\(source.spec.text): skipped \(packets) damaged packet(s): \(detail)")
                entrance.push(.record(.error(ErrorRecord(stream: context.stream, kind: .corrupt, packets: packets,
                                                         detail: detail, afterIndex: lastIndex, time: WallClock.now()))))
            case .lost(let reason):
                totals.losses += 1
                lostReason = reason
                logger.warning("\(source.spec.text): lost: \(reason)")
                entrance.push(.record(.source(SourceRecord(stream: context.stream, event: .lost, reason: reason,
                                                           time: WallClock.now()))))
            case .reconnected(let attempt):
                totals.reconnects += 1
                options.metrics?.reconnected()
                lostReason = nil
                logger.notice("\(source.spec.text): reconnected after \(attempt) attempt(s)")
                entrance.push(.record(.source(SourceRecord(stream: context.stream, event: .reconnected, attempt: attempt,
                                                           time: WallClock.now()))))
            case .end:
                break reading
            }
        }
        flushDrops()
        if control.isStopRequested {
            totals.reason = .stopped
        } else if let lostReason {
            // The source's last word before giving up was a loss: it could not be recovered.
            totals.reason = .failed
            totals.detail = lostReason
        }
        entrance.push(.finish(totals))
    }

    // MARK: The estimator stages

    private static func run(_ stage: any FrameStage, slot: Int, from inbox: BoundedQueue<PipelineItem>,
                            to outbox: BoundedQueue<PipelineItem>) {
        var stage = stage
        // Frames the stage holds back (its lookahead), with the records between them, in order.
        var held = HeldItems(capacity: stage.lookahead)
        func release(keeping: Int) {
            while held.frames > keeping, let item = held.popFirst() {
                guard case .work(var work) = item else { outbox.push(item); continue }
                let start = MonotonicClock.nanoseconds()
                stage.complete(&work)
                work.stageMilliseconds[slot] += MonotonicClock.milliseconds(since: start)
                outbox.push(.work(work))
            }
            // Records behind the last released frame need not wait for a later one.
            while held.frames == 0, let item = held.popFirst() { outbox.push(item) }
        }
        while true {
            let item = inbox.pop()
            switch item {
            case .work(var work):
                let start = MonotonicClock.nanoseconds()
                stage.process(&work)
                if stage.lookahead == 0 {
                    stage.complete(&work)
                    work.stageMilliseconds[slot] = MonotonicClock.milliseconds(since: start)
                    outbox.push(.work(work))
                } else {
                    work.stageMilliseconds[slot] = MonotonicClock.milliseconds(since: start)
                    held.append(.work(work))
                    release(keeping: stage.lookahead)
                }
            case .record:
                if held.isEmpty { outbox.push(item) } else { held.append(item) }
            case .finish:
                release(keeping: 0)
                stage.finish()
                outbox.push(item)
                return
            }
        }
    }

    // MARK: The sink stage

    /// A photo as its frame record names it, with the camera it was fitted with: its manifest
    /// line's, else the stream's, else the assumed one for its size (`FrameWork.pinholeCamera`).
    private func image(_ still: StillImage, width: Int, height: Int) -> FrameImage {
        let camera = still.camera.map {
            CameraDescription(fx: $0.fx, fy: $0.fy, cx: $0.cx, cy: $0.cy,
                              distortion: $0.distortion + [Double](repeating: 0, count: max(0, 5 - $0.distortion.count)))
        }
        return FrameImage(path: still.path, id: still.id,
                          camera: camera ?? context.camera ?? Self.assumedCamera(width: width, height: height))
    }

    private func writeRecords(from inbox: BoundedQueue<PipelineItem>, limiter: FlowLimiter?) {
        var json = JSONWriter(capacity: 64 * 1024)
        let stream = context.stream
        let names = header.stages
        let started = MonotonicClock.nanoseconds()
        var processed = 0
        var outputsLost = false
        // Once nobody can take the records, decoding on would only throw them away: stop reading,
        // and let what is already in flight pass through to the end.
        func checkOutputs() {
            if !outputsLost, sinks.allGone {
                outputsLost = true
                stop()
            }
        }
        while true {
            switch inbox.pop() {
            case .work(let work):
                let start = MonotonicClock.nanoseconds()
                let frame = work.frame
                let record = FrameRecord(stream: stream, index: frame.index, pts: frame.pts, captureTime: frame.captureTime,
                                         width: frame.width, height: frame.height, image: frame.still.map { image($0, width: frame.width, height: frame.height) },
                                         hands: work.hands.map(HandRecord.init),
                                         stageNames: names, stageMilliseconds: work.stageMilliseconds)
                json.reset()
                record.encode(into: &json)
                json.newline()
                sinks.write(json.bytes, kind: .frame, stream: stream)
                checkOutputs()
                processed += 1
                limiter?.finished()
                options.metrics?.processed(names: names, milliseconds: { work.stageMilliseconds[$0] }, hands: work.hands.count)
                let end = MonotonicClock.nanoseconds()
                status.update {
                    $0.processed += 1
                    $0.lastProgressNanoseconds = end
                    $0.sinkNanoseconds += end &- start
                }
            case .record(let record):
                json.encodeLine(record)
                sinks.write(json.bytes, kind: record.kind, stream: stream)
                checkOutputs()
            case .finish(let totals):
                let seconds = Double(MonotonicClock.nanoseconds() &- started) / 1e9
                let end = EndRecord(stream: stream, reason: totals.reason, decoded: totals.decoded, processed: processed,
                                    dropped: totals.dropped, corrupt: totals.corrupt, losses: totals.losses,
                                    reconnects: totals.reconnects, outputDropped: sinks.dropped(stream: stream),
                                    seconds: seconds, detail: totals.detail,
                                    time: WallClock.now())
                json.encodeLine(.end(end))
                sinks.write(json.bytes, kind: .end, stream: stream)
                status.update { $0.finished = true }
                control.finish(with: PipelineResult(
                    reason: totals.reason, decoded: totals.decoded, processed: processed, dropped: totals.dropped,
                    corrupt: totals.corrupt, losses: totals.losses, reconnects: totals.reconnects, seconds: seconds,
                    detail: totals.detail, outputsLost: outputsLost))
                return
            }
        }
    }
}
