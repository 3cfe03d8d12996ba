import ArgumentParser

/// `handmesh bench …`: benchmarks that print figures (medians over runs, ratios against a peer).
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure speed; print medians and ratios.",
        subcommands: [
            // Each capability adds its benchmark here.
            BenchPipeline.self,
            BenchModels.self,
            BenchEvidence.self,
            BenchFit.self,
            BenchHandModel.self,
            BenchRender.self,
            BenchSilhouette.self,
            BenchMQTT.self,
            BenchMetrics.self,
        ]
    )
}
