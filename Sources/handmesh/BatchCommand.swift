import ArgumentParser
import Batch
import Configuration
import Foundation

/// `handmesh batch`: a manifest of videos, one job each, for a plain loop or a batch engine.
struct BatchRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Turn a manifest of videos into one job each, writing DIR/NAME.ndjson and DIR/NAME.summary.json.",
        discussion: """
        A manifest line is a video's path, or a JSON object: {"input": "a.mp4", "name": "a", \
        "max_hands": 1, "camera": {...}} with any of the config's stream settings as overrides. Jobs \
        are numbered from 0 in manifest order. With --index N, or under Slurm (SLURM_ARRAY_TASK_ID) or \
        a Kubernetes Indexed Job (JOB_COMPLETION_INDEX), only that job runs; otherwise every job, one \
        after the other. Records are renamed into place when a video is done; a rerun skips the jobs \
        whose summary says they finished and redoes the rest. Each job prints its summary line.

        Exit status: 0 all done (or skipped as done); 1 bad manifest, config or arguments; 2 some job \
        failed (its video could not be opened or processed; a rerun tries it again); 3 none failed, \
        but some video was damaged (corrupt packets skipped).
        """)

    @Argument(help: "The manifest: one video path a line, or JSON lines with per-video overrides.")
    var manifest: String

    @Option(name: .long, help: "The folder for every job's records and summary.")
    var out: String

    @Option(name: .long, help: "A TOML config; its [defaults] apply to every job.")
    var config: String?

    @Option(name: .long, help: "Run only this job (0-based); default: SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX, else all jobs.")
    var index: Int?

    @Flag(name: .long, help: "Print the number of jobs and exit (for sbatch --array=0-$((N-1)) or a Job's completions).")
    var count = false

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (default: the config's, else warning).")
    var logLevel: String?

    func run() throws {
        LoggingSetup.bootstrap()
        let fileConfig = try loadConfig(config)
        let list: BatchManifest
        do { list = try BatchManifest(path: manifest) } catch {
            printError("\(error)")
            throw ExitStatus.badConfiguration
        }
        if count {
            print(list.jobs.count)
            return
        }
        // Every line's overrides are checked now: a typo on line 900 must not wait for job 899.
        for job in list.jobs {
            do { _ = try job.settings(over: fileConfig.defaults, manifest: manifest) } catch {
                printError("\(error)")
                throw ExitStatus.badConfiguration
            }
        }
        let jobs: [BatchJob]
        do {
            if let index = try BatchIndex.resolve(explicit: index, environment: ProcessInfo.processInfo.environment) {
                guard index < list.jobs.count else {
                    throw BatchError("job index \(index): the manifest \(manifest) has \(list.jobs.count) job(s), 0 to \(list.jobs.count - 1)")
                }
                jobs = [list.jobs[index]]
            } else {
                jobs = list.jobs
            }
        } catch {
            printError("\(error)")
            throw ExitStatus.badConfiguration
        }
        let logger = LoggingSetup.logger(level: logLevel ?? (config == nil ? "warning" : fileConfig.logLevel))
        let runner = BatchRunner(manifest: list, outputFolder: out, defaults: fileConfig.defaults, logger: logger)
        var outcomes: [BatchOutcome] = []
        for job in jobs {
            let summary = runner.run(job)
            // Unbuffered: a job's line shows in the batch engine's log as soon as the job ends.
            FileHandle.standardOutput.write(Data((summary.json + "\n").utf8))
            outcomes.append(summary.outcome)
        }
        let overall = BatchOutcome.overall(outcomes)
        if overall != .done { throw ExitCode(overall.exitStatus) }
    }
}
