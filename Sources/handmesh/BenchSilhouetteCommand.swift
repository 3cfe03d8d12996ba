import ArgumentParser
import Fitting
import Foundation
import HandModel
import Silhouette

/// `handmesh bench silhouette`: the silhouette term's cost and effect, against the keypoint-only
/// fit in the same run.
struct BenchSilhouette: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silhouette",
        abstract: "Refinement with and without the silhouette term on synthetic motions: ms, iterations, mask IoU, PA-MPJPE.")

    @Option(help: "Synthetic clips.") var sequences = 12
    @Option(help: "Frames per clip (30 fps).") var frames = 40
    @Option(help: "Frame size, WIDTHxHEIGHT.") var size = "640x480"
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Cells per side of the silhouette term's grid.") var grid = 48
    @Option(help: "Mask coverage per grid cell per unit residual.") var cellSigma = 0.5

    func run() throws {
        let parts = size.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts[0] >= 64, parts[1] >= 64 else { throw ValidationError("--size must be WIDTHxHEIGHT, at least 64x64") }
        let model = HandModel.builtIn(side: .right)
        let r = SilhouetteFitBenchmark.run(model: model, regressor: try HandRegressor.bundled(), width: parts[0], height: parts[1],
                                           sequences: sequences, frames: frames, seed: seed,
                                           gridSize: grid, cellSigma: cellSigma)
        print("single-threaded, \(r.frames) frames of \(sequences) synthetic motions at \(size), keypoint evidence with the fit benchmark's noise,")
        print("masks rendered from the true hands; both fitters see the same evidence in the same run:")
        print("                          keypoints only   + silhouette")
        for (name, a, b, format) in [
            ("warm refinement, ms", r.keypointsOnly.warmMilliseconds, r.withSilhouette.warmMilliseconds, "%.3f"),
            ("warm iterations", r.keypointsOnly.warmIterations, r.withSilhouette.warmIterations, "%.0f"),
            ("cold refinement, ms", r.keypointsOnly.coldMilliseconds, r.withSilhouette.coldMilliseconds, "%.3f"),
            ("mesh-to-mask IoU", r.keypointsOnly.maskIoU, r.withSilhouette.maskIoU, "%.3f"),
            ("PA-MPJPE, mm", r.keypointsOnly.paMPJPE, r.withSilhouette.paMPJPE, "%.2f"),
            ("reprojection, px", r.keypointsOnly.reprojection, r.withSilhouette.reprojection, "%.2f"),
        ] {
            print(name.padding(toLength: 26, withPad: " ", startingAt: 0)
                  + String(format: format, a).leftPadded(14) + String(format: format, b).leftPadded(15))
        }
        print(String(format: "the term alone: a render %.3f ms, a linearization after it %.3f ms (medians of 200)",
                     r.renderMilliseconds, r.linearizeMilliseconds))
        print(String(format: "the silhouette term adds %.3f ms per hand per warm frame (median difference; goal ≤ 2)",
                     r.withSilhouette.warmMilliseconds - r.keypointsOnly.warmMilliseconds))
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
