import Configuration
import Foundation
import Logging
import Pipeline
import Sinks
import Video

/// Runs a manifest's jobs into one folder. Each job writes its records to a hidden partial file
/// and renames it into place only when the video is done, then writes its summary the same way:
/// a job killed midway (a pre-empted Slurm task, an evicted pod) leaves no file that looks
/// finished, and a rerun skips exactly the jobs whose summary says they finished.
public struct BatchRunner: Sendable {
    public let manifest: BatchManifest
    public let outputFolder: String
    public let defaults: StreamSettings
    public let logger: Logger

    public init(manifest: BatchManifest, outputFolder: String, defaults: StreamSettings, logger: Logger) {
        self.manifest = manifest
        self.outputFolder = outputFolder
        self.defaults = defaults
        self.logger = logger
    }

    public func recordsPath(_ job: BatchJob) -> String { "\(outputFolder)/\(job.name).ndjson" }
    public func summaryPath(_ job: BatchJob) -> String { "\(outputFolder)/\(job.name).summary.json" }
    private func partialPath(_ job: BatchJob) -> String { "\(outputFolder)/.\(job.name).ndjson.partial" }

    /// The summary of a job that finished in an earlier run (and whose records are still there).
    public func finished(_ job: BatchJob) -> BatchSummary? {
        guard let summary = BatchSummary.read(path: summaryPath(job), job: job.name), summary.outcome.isFinished,
              FileManager.default.fileExists(atPath: recordsPath(job))
        else { return nil }
        return summary
    }

    /// Runs `job` unless it finished before; never throws: a job that cannot run is `failed`.
    public func run(_ job: BatchJob) -> BatchSummary {
        if var summary = finished(job) {
            summary.skipped = true
            return summary
        }
        var summary = BatchSummary(job: job.name, index: job.index, input: job.input, outcome: .failed)
        let partial = partialPath(job)
        do {
            try FileManager.default.createDirectory(atPath: outputFolder, withIntermediateDirectories: true)
            let settings = try job.settings(over: defaults, manifest: manifest.path)
            let source = try VideoSource(try InputSpec(parsing: job.input), options: settings.sourceOptions)
            let resolved = settings.resolved(for: source)
            let stages = try StandardStages.make(for: resolved, logger: logger)
            unlink(partial)
            let sink = try FileSink(path: partial, logger: logger)
            let pipeline = Pipeline(source: source, stages: stages, sinks: SinkSet([sink]),
                                    context: resolved.context(stream: job.name), logger: logger)
            pipeline.start()
            let result = pipeline.wait()
            sink.close()
            summary.decoded = result.decoded
            summary.processed = result.processed
            summary.dropped = result.dropped
            summary.corrupt = result.corrupt
            summary.seconds = result.seconds
            summary.detail = result.detail
            summary.outcome = result.damaged || result.reason == .failed ? .damaged : .done
            try Self.rename(partial, to: recordsPath(job))
        } catch {
            unlink(partial)
            summary.outcome = .failed
            summary.detail = "\(error)"
        }
        do {
            try Self.writeAtomically(summary.json + "\n", to: summaryPath(job))
        } catch {
            summary.outcome = .failed
            summary.detail = "cannot write the summary: \(error)"
        }
        return summary
    }

    static func rename(_ from: String, to: String) throws {
        guard Glibc.rename(from, to) == 0 else {
            throw BatchError("cannot rename \(from) to \(to): \(String(cString: strerror(errno)))")
        }
    }

    static func writeAtomically(_ text: String, to path: String) throws {
        let temporary = (path as NSString).deletingLastPathComponent + "/." + (path as NSString).lastPathComponent + ".partial"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
            throw BatchError("cannot write \(temporary)")
        }
        try rename(temporary, to: path)
    }
}
