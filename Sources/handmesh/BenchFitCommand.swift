import ArgumentParser
import Fitting
import Foundation
import HandModel
import Neural

/// `handmesh bench fit`: recovery of hands sampled from the model, and the speed of regression,
/// cold and warm refinement, single-threaded.
struct BenchFit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Recovery (PA-MPJPE, vertex error) and speed (median ms, iterations) of regression and refinement.")

    @Option(help: "Independent hands for recovery.") var hands = 2000
    @Option(help: "Synthetic clips for warm-start speed.") var sequences = 40
    @Option(help: "Frames per clip (30 fps).") var frames = 60
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Regressor weights (default: the committed ones).") var regressor: String?
    @Flag(help: "Skip the regressor: cold starts from the mean pose.") var noRegressor = false
    @Flag(help: "Hands at the model's own proportions, as issue 6 measured them, instead of the landmark network's.")
    var modelProportions = false

    func run() throws {
        let model = HandModel.builtIn(side: .right)
        let reg: HandRegressor? = noRegressor ? nil
            : try regressor.map { try HandRegressor(contentsOf: URL(fileURLWithPath: $0)) } ?? HandRegressor.bundled()
        // The stereo-hand clip's camera 0 (720x720), its strong k2/k3 distortion included.
        let camera = PinholeCamera(fx: 926.077, fy: 925.775, cx: 356.089, cy: 355.249,
                                   k1: -0.0139598, k2: 1.41929, p1: -0.00353398, p2: -0.00356741, k3: -6.39432)
        var noise = EvidenceSynthesizer()
        noise.landmarkProportions = !modelProportions
        print("OpenBLAS kernels: \(BLASKernels.current)")
        print("hands at \(modelProportions ? "the model's own proportions" : "the landmark network's proportions (FitSettings.landmarkProportions)")")
        print(String(format: "evidence noise: keypoints %.1f%% of the ROI, world landmarks %.0f mm per joint, %.0f° rotation, %.0f%% scale; %.0f%% dropout, %.0f%% outliers",
                     noise.pixelNoise * 100, noise.worldNoise * 1000, noise.worldRotationNoise * 180 / .pi,
                     noise.worldScaleNoise * 100, noise.dropout * 100, noise.outliers * 100))
        let r = FitBenchmark.recovery(model: model, regressor: reg, camera: camera, width: 720, height: 720,
                                      hands: hands, seed: seed, synthesizer: noise)
        print(String(format: "recovery, %d hands (cold: regression + refinement, shape free):", r.hands))
        print(String(format: "  PA-MPJPE          %6.2f mm mean, %.2f median (goal ≤ 3)", r.paMPJPE, r.paMPJPEMedian))
        print(String(format: "  vertex error (PA) %6.2f mm mean (goal ≤ 5)", r.vertexError))
        print(String(format: "  regressor alone   %6.2f mm PA-MPJPE", r.regressorPAMPJPE))
        print(String(format: "  reprojection      %6.2f px mean", r.reprojection))
        let s = FitBenchmark.speed(model: model, regressor: reg, camera: camera, width: 720, height: 720,
                                   sequences: sequences, frames: frames, seed: seed &+ 1, synthesizer: noise)
        print(String(format: "speed, single-threaded, %d clips of %d frames:", sequences, frames))
        print(String(format: "  regression        %7.3f ms median (goal ≤ 0.2)", s.regressionMilliseconds))
        print(String(format: "  warm refinement   %7.3f ms median, %.0f iterations median (goal ≤ 1 ms)", s.warmMilliseconds, s.warmIterations))
        print(String(format: "  cold refinement   %7.3f ms median, %.0f iterations median (goal ≤ 5 ms; includes regression)", s.coldMilliseconds, s.coldIterations))
        print(String(format: "  cold re-inits     %6.1f%% of warm frames; warm PA-MPJPE %.2f mm", s.reinitializedShare * 100, s.warmPAMPJPE))
        print(String(format: "  recovery-set cold %7.3f ms median, %.0f iterations median", r.coldMilliseconds, r.coldIterations))
    }
}
