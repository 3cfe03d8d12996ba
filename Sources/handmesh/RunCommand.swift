import ArgumentParser
import Configuration
import Dispatch
import Foundation
import HandModel
import Logging
import Metrics
import Pipeline
import Sinks
import Video
import View

/// `handmesh run`: process inputs to their end, or until SIGINT/SIGTERM, which drain.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Turn videos into hand records until the inputs end or a signal stops them.",
        discussion: """
        Every input gets its own pipeline; all of them write to every output. SIGINT or SIGTERM \
        stops reading and drains: every decoded frame still gets its record, then the end record. \
        SIGHUP reopens output files (for logrotate). SIGUSR1 writes the next frame, hands drawn, to the \
        --snapshot PNG.

        Exit status: 0 done; 1 bad config or arguments; 2 an input could not be read at all; \
        3 done, but an input was damaged (corrupt packets skipped) or a live input was lost for good; \
        4 an output (or the --overlay video) could not be opened; 5 stopped early because every output of \
        a stream was gone (a reader closed the pipe).
        """)

    @Option(name: .long, parsing: .upToNextOption,
            help: "Inputs: a file, an image pattern (%05d), a photo, a folder of photos (DIR/), manifest:PATH.jsonl, a URL, /dev/videoN, - (stdin) or lavfi:GRAPH. Without inputs (and without [[streams]] in a config), the embedded synthetic hand clip.")
    var input: [String] = []

    @Option(name: .long, parsing: .upToNextOption,
            help: "Outputs: ndjson:- (stdout, the default), ndjson:PATH, unix:PATH, mqtt://HOST[:PORT]/TOPIC or mqtts://…, or view:[HOST:]PORT (a live view in the browser, 127.0.0.1 unless HOST is given).")
    var output: [String] = []

    @Option(name: .long, help: "Serve Prometheus metrics at /metrics on unix:PATH or a loopback HOST:PORT (the config's metrics).")
    var metrics: String?

    @Option(name: .long, help: "A TOML config; its [defaults] apply to the inputs (see Config/handmesh.example.toml).")
    var config: String?

    @Option(name: .long, help: "Also write a video of every frame with its fitted hands drawn (.mp4); with several inputs, one file each, named PATH-<stream>.mp4.")
    var overlay: String?

    @Option(name: .long, help: "A mask video (white hand on black) paired frame by frame with the one input: the fit also matches the mesh's silhouette to it.")
    var mask: String?

    @Flag(name: .long, help: "The inputs are mask videos: estimate hands from their silhouettes alone (Mask2Hand mode).")
    var inputIsMask = false

    @Option(name: .long, help: "Which hand the masks show, right or left (a silhouette cannot tell; default right).")
    var maskHand: String?

    @Option(name: .long, help: "A forearm in the masks: auto (cut it away where it leaves the frame; the default), cut (also where it ends inside the frame, as at a depth threshold) or keep.")
    var maskForearm: String?

    @Option(name: .long, help: "On SIGUSR1, write the next frame with its hands drawn to this PNG (one input).")
    var snapshot: String?

    @Flag(name: .long, help: "Pace inputs at their frame rate, as if live: frames are dropped when the pipeline is busy.")
    var realtime = false

    @Flag(inversion: .prefixedNo, help: "Process frames as independent photos, or not (the config's still_images; unset: photos for a single image, a folder or a manifest).")
    var stillImages: Bool?

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (default: the config's, else info).")
    var logLevel: String?

    func validate() throws {
        if mask != nil && input.count != 1 { throw ValidationError("--mask pairs with exactly one --input") }
        if snapshot != nil && input.count > 1 { throw ValidationError("--snapshot goes with at most one --input") }
        if mask != nil && inputIsMask { throw ValidationError("--mask pairs a mask with an RGB input; --input-is-mask says the input is the mask") }
        if let maskHand, MaskHand(rawValue: maskHand) == nil { throw ValidationError("--mask-hand must be right or left") }
        if let maskForearm, MaskForearm(rawValue: maskForearm) == nil { throw ValidationError("--mask-forearm must be auto, cut or keep") }
        if let logLevel, !LogLevelName.all.contains(logLevel) {
            throw ValidationError("--log-level must be one of \(LogLevelName.all.joined(separator: ", "))")
        }
        if let metrics {
            do { _ = try MetricsAddress(parsing: metrics) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() throws {
        // Signals first, before the config and the models load: a stop that comes while they do
        // still ends in header and end records and status 0, not in death by signal.
        let watcher = SignalWatcher()
        LoggingSetup.bootstrap()
        let fileConfig = try loadConfig(config)
        let logger = LoggingSetup.logger(level: logLevel ?? fileConfig.logLevel)
        var streams = try streams(from: fileConfig)
        if streams.count == 1 { streams[0].settings.soleStream = true }

        // An output scheme that does not exist is a bad argument (1), as it is in a config; 4 is
        // for an output that exists but cannot be opened.
        for text in streams.flatMap(\.outputs) {
            do { _ = try SinkSpec(parsing: text) } catch {
                printError("\(error)")
                throw ExitStatus.badConfiguration
            }
        }
        // Inputs and stages before outputs: a run that never starts leaves no output files behind.
        let snapshots = SnapshotTrigger()
        var prepared: [(stream: StreamConfig, source: VideoSource, settings: StreamSettings, stages: [any FrameStage])] = []
        var unreadable = 0
        for (index, stream) in streams.enumerated() {
            do {
                let source = try VideoSource(try InputSpec(parsing: stream.input), options: stream.settings.sourceOptions)
                let settings = stream.settings.resolved(for: source)
                let stages = try StandardStages.make(
                    for: settings, logger: logger,
                    overlay: overlayPath(for: stream, of: streams.count).map { ($0, source.frameRate ?? 30) },
                    snapshots: snapshots)
                prepared.append((stream, source, settings, stages))
            } catch let error as HandModelError {
                // The file is named, but the fix is in the config: say which key names it.
                unreadable += 1
                let key = input.isEmpty && config != nil ? "streams[\(index)].model (or defaults.model)" : "defaults.model"
                printError("\(error) (the config's \(key))")
            } catch {
                unreadable += 1
                printError("\(error)")
            }
        }
        guard !prepared.isEmpty else { throw ExitStatus.unreadableInput }

        // The overlay writer opens on the first frame; find out now whether it can.
        var createdOverlays = OverlayPaths()
        for item in prepared {
            guard let path = overlayPath(for: item.stream, of: streams.count) else { continue }
            do { try createdOverlays.check(path) } catch {
                createdOverlays.removeCreated()
                printError("\(error)")
                throw ExitStatus.outputFailed
            }
        }

        // Open each distinct output once; streams naming the same output share it.
        var opened: [String: any RecordSink] = [:]
        var streamSinks: [SinkSet] = []
        do {
            for (i, item) in prepared.enumerated() {
                var sinks: [any RecordSink] = []
                for text in item.stream.outputs {
                    let spec = try SinkSpec(parsing: text)
                    let key = spec.description
                    if case .view(let host, let port) = spec {
                        // A view shows one stream's frames: it takes them from a stage of its own.
                        guard opened[key] == nil else { throw SinkError(sink: key, message: "a view shows one stream; give each its own port") }
                        let view = try ViewServer(host: host, port: port, handModel: item.settings.model.description, logger: logger)
                        prepared[i].stages.append(ViewStage(slot: view.slot))
                        opened[key] = view
                    } else if opened[key] == nil {
                        opened[key] = try SinkSet.open(spec, options: item.stream.settings.sinkOptions, logger: logger)
                    }
                    sinks.append(opened[key]!)
                }
                streamSinks.append(SinkSet(sinks))
            }
        } catch {
            opened.values.forEach { $0.close() }
            createdOverlays.removeCreated()
            printError("\(error)")
            throw ExitStatus.outputFailed
        }
        let allSinks = SinkSet(Array(opened.values))

        let metricsAddress = try (metrics ?? fileConfig.metrics).map { try MetricsAddress(parsing: $0) }
        var pipelines: [(Pipeline, isLive: Bool, expectedFrames: Int?)] = []
        var streamMetrics: [StreamMetrics] = []
        for (item, sinks) in zip(prepared, streamSinks) {
            let source = item.source
            var options = PipelineOptions()
            if metricsAddress != nil {
                options.metrics = StreamMetrics(stream: item.stream.name)
                streamMetrics.append(options.metrics!)
            }
            let pipeline = Pipeline(source: source, stages: item.stages, sinks: sinks,
                                    context: item.settings.context(stream: item.stream.name), options: options, logger: logger)
            let expected = source.stillImageCount ?? source.duration.flatMap { d in source.frameRate.map { Int((d * $0).rounded()) } }
            pipelines.append((pipeline, source.isLive, source.isLive ? nil : expected))
        }

        var metricsServer: MetricsServer?
        if let metricsAddress {
            let report = MetricsReport(streams: streamMetrics, sinks: allSinks.sinks)
            do { metricsServer = try MetricsServer(address: metricsAddress) { report.render() } } catch {
                allSinks.close()
                createdOverlays.removeCreated()
                printError("\(error)")
                throw ExitStatus.outputFailed
            }
        }
        let running = pipelines.map(\.0)
        watcher.whenHangUp { allSinks.reopen() }
        if streams.contains(where: { $0.settings.snapshot != nil }) { watcher.whenSnapshot { snapshots.request() } }
        // A stop that came while the models loaded stops the pipelines before their first frame.
        watcher.whenStopped { _ in running.forEach { $0.stop() } }
        let progress = ProgressBar.make(for: pipelines)
        running.forEach { $0.start() }
        let results = running.map { $0.wait() }
        progress?.finish()
        allSinks.close()
        metricsServer?.stop()
        watcher.cancel()

        for (pipeline, result) in zip(running, results) where result.outputsLost {
            printError("stream \(pipeline.context.stream): every output is gone; stopped after \(result.processed) frame(s)")
        }
        if results.contains(where: \.outputsLost) { throw ExitStatus.outputsLost }
        if unreadable > 0 { throw ExitStatus.unreadableInput }
        if results.contains(where: { $0.damaged || $0.reason == .failed }) { throw ExitStatus.damagedInput }
    }

    /// Where a stream's overlay video goes: the path as given for one stream, else one file per stream.
    private func overlayPath(for stream: StreamConfig, of count: Int) -> String? {
        guard let overlay else { return nil }
        guard count > 1 else { return overlay }
        let url = URL(fileURLWithPath: overlay)
        let ext = url.pathExtension.isEmpty ? "mp4" : url.pathExtension
        return url.deletingPathExtension().path + "-\(stream.name).\(ext)"
    }

    /// The streams to run: the command line's inputs with the config's defaults, or else the
    /// config's streams.
    private func streams(from config: HandMeshConfig) throws -> [StreamConfig] {
        var settings = config.defaults
        if realtime { settings.realtime = true }
        if let stillImages { settings.stillImages = stillImages }
        if inputIsMask { settings.inputIsMask = true }
        if let maskHand { settings.maskHand = MaskHand(rawValue: maskHand) ?? .right }
        if let maskForearm { settings.maskForearm = MaskForearm(rawValue: maskForearm) ?? .auto }
        settings.mask = mask
        settings.snapshot = snapshot
        if input.isEmpty && config.streams.isEmpty {
            let clip: String
            do { clip = try DefaultClip.path() } catch {
                printError("the default input: \(error)")
                throw ExitStatus.unreadableInput
            }
            return [StreamConfig(name: "main", input: clip, outputs: output.isEmpty ? ["ndjson:-"] : output, settings: settings)]
        }
        if input.isEmpty {
            return config.streams.map { stream in
                var stream = stream
                if !output.isEmpty { stream.outputs = output }
                if realtime { stream.settings.realtime = true }
                if let stillImages { stream.settings.stillImages = stillImages }
                return stream
            }
        }
        let outputs = output.isEmpty ? ["ndjson:-"] : output
        return input.enumerated().map { i, text in
            StreamConfig(name: input.count == 1 ? "main" : "input\(i)", input: text, outputs: outputs, settings: settings)
        }
    }
}
