import ArgumentParser
import Configuration
import Dispatch
import Foundation
import Logging
import Metrics
import Pipeline
import Sinks
import View

/// `handmesh serve`: the daemon. Runs every stream of the config, each with its own pipeline
/// and outputs, retries failing streams with backoff, and speaks systemd's notify protocol.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the config's streams as a daemon (systemd Type=notify).",
        discussion: """
        Each [[streams]] entry runs on its own; a stream whose input cannot be opened or is lost \
        is retried with backoff without disturbing the others. Under systemd it sends READY=1 once \
        every stream has been opened (or scheduled for a retry), STATUS= lines, WATCHDOG=1 at half \
        of WatchdogSec (at most twice a second) while no pipeline is stuck and some stream has run \
        within --idle-limit seconds, and STOPPING=1. Models are checked before anything starts. SIGTERM or SIGINT drains every \
        stream (end records written) and exits 0; SIGHUP reopens output files; SIGUSR1 writes a PNG \
        snapshot of each stream's next frame to its `snapshot` path. When every stream \
        has finished (file inputs), serve exits 0.

        With --input, serve runs that one input as its only stream, with the config's [defaults] \
        (one systemd instance per camera, see systemd/handmesh@.service).

        Exit status: 0 stopped or finished; 1 bad config, or models that fail verification; 3 \
        finished, but a stream gave up (its input failed max_attempts times), so that \
        Restart=on-failure acts.
        """)

    @Option(name: .long, help: "The TOML config (see Config/handmesh.example.toml).")
    var config: String?

    @Option(name: .long, help: "Serve this one input instead of the config's streams.")
    var input: String?

    @Option(name: .long, parsing: .upToNextOption, help: "Outputs for --input (default ndjson:-).")
    var output: [String] = []

    @Option(name: .long, help: "For --input: on SIGUSR1, write the next frame with its hands drawn to this PNG.")
    var snapshot: String?

    @Option(name: .long, help: "Serve Prometheus metrics at /metrics on unix:PATH or a loopback HOST:PORT (overrides the config's metrics).")
    var metrics: String?

    @Option(name: .long, help: "Stream name for --input.")
    var name = "main"

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (default: the config's).")
    var logLevel: String?

    @Option(name: .long, help: "Seconds a frame may stay in a pipeline before the watchdog counts it as stuck.")
    var stallSeconds: Double = 20

    @Option(name: .long, help: "Seconds with no stream running (all retrying) before the watchdog is no longer fed, so that systemd restarts the service.")
    var idleLimit: Double = 300

    func validate() throws {
        if let logLevel, !LogLevelName.all.contains(logLevel) {
            throw ValidationError("--log-level must be one of \(LogLevelName.all.joined(separator: ", "))")
        }
        guard stallSeconds > 0 else { throw ValidationError("--stall-seconds must be more than 0") }
        guard idleLimit > 0 else { throw ValidationError("--idle-limit must be more than 0") }
        guard config != nil || input != nil else { throw ValidationError("give --config, --input, or both") }
        guard input != nil || output.isEmpty else { throw ValidationError("--output goes with --input") }
        guard input != nil || snapshot == nil else { throw ValidationError("--snapshot goes with --input; streams of the config name theirs") }
    }

    func run() throws {
        LoggingSetup.bootstrap()
        var fileConfig = try loadConfig(config)
        if let input {
            var settings = fileConfig.defaults
            settings.snapshot = snapshot
            fileConfig.streams = [StreamConfig(name: name, input: input, outputs: output.isEmpty ? ["ndjson:-"] : output,
                                               settings: settings)]
        }
        guard !fileConfig.streams.isEmpty else {
            printError("\(config ?? "serve"): no [[streams]] to serve")
            throw ExitStatus.badConfiguration
        }
        let logger = LoggingSetup.logger(level: logLevel ?? fileConfig.logLevel)
        for stream in fileConfig.streams {
            do { try StandardStages.checkModels(for: stream.settings) } catch {
                printError("stream \(stream.name): \(error)")
                throw ExitStatus.badConfiguration
            }
        }
        let metricsAddress: MetricsAddress?
        do { metricsAddress = try (metrics ?? fileConfig.metrics).map { try MetricsAddress(parsing: $0) } } catch {
            printError("\(error)")
            throw ExitStatus.badConfiguration
        }
        // A view needs the frames, not only the records: it is served here, for the stream's whole
        // life, and each pipeline the supervisor starts hands it frames through a stage of its own.
        let views: [String: ViewServer]
        do { views = try Self.openViews(&fileConfig.streams, logger: logger) } catch {
            printError("\(error)")
            throw ExitStatus.outputFailed
        }
        defer { views.values.forEach { $0.close() } }
        let notifier = ServiceNotifier()
        let snapshots = SnapshotTrigger()
        let supervisors = fileConfig.streams.map { stream in
            var streamLogger = logger
            if let level = stream.settings.logLevel.flatMap(Logger.Level.init(rawValue:)) {
                streamLogger.logLevel = level
            }
            let view = views[stream.name]
            return StreamSupervisor(config: stream, logger: streamLogger,
                                    metrics: metricsAddress.map { _ in StreamMetrics(stream: stream.name) }) {
                var stages = try StandardStages.make(for: $0, logger: $1, snapshots: snapshots)
                if let view { stages.append(ViewStage(slot: view.slot)) }
                return stages
            }
        }

        let stop = DispatchSemaphore(value: 0)
        var onSnapshot: (@Sendable () -> Void)?
        if fileConfig.streams.contains(where: { $0.settings.snapshot != nil }) { onSnapshot = { snapshots.request() } }
        let watcher = SignalWatcher(
            onStop: { _ in stop.signal() },
            onHangUp: { supervisors.forEach { $0.reopenOutputs() } },
            onSnapshot: onSnapshot)
        var metricsServer: MetricsServer?
        if let metricsAddress {
            do {
                metricsServer = try MetricsServer(address: metricsAddress) {
                    MetricsReport(streams: supervisors.compactMap(\.metrics), sinks: supervisors.flatMap(\.openSinks)).render()
                }
            } catch {
                printError("\(error)")
                throw ExitStatus.badConfiguration
            }
            logger.notice("metrics at \(metricsAddress)/metrics")
        }
        defer { metricsServer?.stop() }
        supervisors.forEach { $0.start() }
        for supervisor in supervisors {
            // Opening an input is bounded by the source's own open timeout; this only guards
            // against a stream that never reports back.
            _ = supervisor.waitForFirstAttempt(timeout: 120)
        }
        notifier.ready(status: Self.status(of: supervisors))
        logger.notice("serving \(supervisors.count) stream(s)")

        let tick = notifier.watchdogInterval.map { min($0, 5) } ?? 5
        var lastRunning = DispatchTime.now().uptimeNanoseconds
        var idleReported = false
        while stop.wait(timeout: .now() + tick) == .timedOut {
            let now = DispatchTime.now().uptimeNanoseconds
            if supervisors.contains(where: { $0.hasRun }) { lastRunning = now; idleReported = false }
            let idle = Double(now - lastRunning) / 1e9 > idleLimit
            let stuck = supervisors.filter { !$0.isHealthy(stallSeconds: stallSeconds) }
            if stuck.isEmpty && !idle {
                notifier.watchdog()
            } else if !stuck.isEmpty {
                // Withholding WATCHDOG=1 lets systemd restart the service.
                logger.critical("stream(s) \(stuck.map(\.config.name).joined(separator: ", ")) stuck for over \(stallSeconds) s")
            } else if !idleReported {
                logger.critical("no stream has run for over \(Int(idleLimit)) s; the watchdog is no longer fed")
                idleReported = true
            }
            notifier.status(Self.status(of: supervisors))
            if supervisors.allSatisfy({ if case .finished = $0.state { true } else { false } }) {
                logger.notice("every stream has finished")
                break
            }
        }

        notifier.stopping(status: "draining \(supervisors.count) stream(s)")
        supervisors.forEach { $0.stop() }
        for supervisor in supervisors where !supervisor.wait(timeout: 60) {
            logger.error("stream \(supervisor.config.name) did not drain within 60 s")
        }
        watcher.cancel()
        let gaveUp = supervisors.filter { $0.state == .finished(failed: true) }.map(\.config.name)
        if !gaveUp.isEmpty {
            printError("stream(s) \(gaveUp.joined(separator: ", ")) gave up after their reconnect attempts")
            throw ExitStatus.damagedInput
        }
    }

    /// Opens the view of each stream that names one (`view:HOST:PORT`) and takes it out of the
    /// stream's record outputs. One view a stream, each on its own port.
    static func openViews(_ streams: inout [StreamConfig], logger: Logger) throws -> [String: ViewServer] {
        var views: [String: ViewServer] = [:]
        do {
            for i in streams.indices {
                var records: [String] = []
                for text in streams[i].outputs {
                    guard case .view(let host, let port) = try SinkSpec(parsing: text) else { records.append(text); continue }
                    let name = streams[i].name
                    guard views[name] == nil else {
                        throw SinkError(sink: text, message: "stream \(name) has a view already; a stream shows in one view")
                    }
                    if let other = views.first(where: { $0.value.port == port && port != 0 }) {
                        throw SinkError(sink: text, message: "port \(port) is stream \(other.key)'s view; give each stream its own port")
                    }
                    views[name] = try ViewServer(host: host, port: port, handModel: streams[i].settings.model.description, logger: logger)
                }
                streams[i].outputs = records
            }
        } catch {
            views.values.forEach { $0.close() }
            throw error
        }
        return views
    }

    private static func status(of supervisors: [StreamSupervisor]) -> String {
        var running = 0
        var retrying: [String] = []
        var frames = 0
        for supervisor in supervisors {
            frames += supervisor.processed
            switch supervisor.state {
            case .running: running += 1
            case .retrying: retrying.append(supervisor.config.name)
            default: break
            }
        }
        var text = "\(running)/\(supervisors.count) streams running, \(frames) frames"
        if !retrying.isEmpty {
            text += "; retrying \(retrying.joined(separator: ", "))"
        }
        return text
    }
}
