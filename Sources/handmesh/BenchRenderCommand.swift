import ArgumentParser
import Render

/// `handmesh bench render`: medians of the overlay per 720p frame (goal ≤ 3 ms), the silhouette term per
/// hand (goal ≤ 2 ms), SoftRas's aggregate silhouette beside it, and a synthetic frame.
struct BenchRender: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Median time of overlay rendering, the silhouette term and synthetic frames.")

    @Option(help: "Timed runs per case (the median is reported).") var runs = 31

    func run() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be ≥ 1") }
        print(RenderBenchmark.report(RenderBenchmark.run(runs: runs)))
    }
}
