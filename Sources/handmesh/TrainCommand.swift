import ArgumentParser
import Fitting
import Foundation
import HandModel

/// `handmesh train …`: trains what the project trains itself (no labelled images involved).
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the project's own networks on synthetic data.",
        subcommands: [TrainRegressor.self, TrainMaskRegressor.self])
}

/// `handmesh train regressor`: the iterative regressor of the fitting stage, on hands sampled
/// from the built-in hand model with synthesized evidence and, with `--from-fits`, around
/// HandMesh's own fits of real footage (self-data augmentation). A seed gives the same weights bit
/// for bit (one BLAS thread) wherever OpenBLAS picks the same kernels. The committed weights are
/// self-augmented: README "Self-data augmentation" gives the commands, model-only weights first,
/// that reproduce them.
struct TrainRegressor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regressor",
        abstract: "Train the fitting stage's iterative regressor; write safetensors.")

    @Flag(help: "A short run (150 steps of 64) that proves the command works; writes to --output or a temporary file.")
    var quick = false
    @Option(help: "Training steps (default 6000; --quick 150).") var steps: Int?
    @Option(help: "Minibatch size (default 256; --quick 64).") var batchSize: Int?
    @Option(help: "Random seed: sampling, initialization and order.") var seed: UInt64 = RegressorTrainingOptions().seed
    @Option(help: "Where to write the weights (default Sources/Fitting/Resources/regressor.safetensors; --quick: a temporary file).")
    var output: String?
    @OptionGroup var fits: FitsOptions

    func run() throws {
        var options = quick ? RegressorTrainingOptions.quick : RegressorTrainingOptions()
        if let steps { options.steps = steps }
        if let batchSize { options.batchSize = batchSize }
        options.seed = seed
        guard options.steps >= 1, options.batchSize >= 1 else { throw ValidationError("--steps and --batch-size must be at least 1") }
        let (fitted, augmentation) = try fits.load()
        let path = output ?? (quick ? FileManager.default.temporaryDirectory.appendingPathComponent("handmesh-regressor-quick.safetensors").path
                                    : "Sources/Fitting/Resources/regressor.safetensors")
        let model = HandModel.builtIn(side: .right)
        print("training the regressor: \(options.steps) steps of \(options.batchSize), seed \(options.seed)")
        let (regressor, report) = RegressorTraining.train(model: model, options: options, fits: fitted,
                                                          augmentation: augmentation) { print($0) }
        try regressor.write(to: URL(fileURLWithPath: path), metadata: [
            "producer": "handmesh train regressor", "steps": "\(options.steps)", "batch_size": "\(options.batchSize)",
            "seed": "\(options.seed)",
        ].merging(fits.metadata(kept: fitted.count)) { a, _ in a })
        print(String(format: "wrote %@ (validation loss %.4f -> %.4f, pose %.4f rad, rotation %.2f°, %.0f s)",
                     path, report.initialValidationLoss, report.finalValidationLoss, report.poseError,
                     report.rotationErrorDegrees, report.seconds))
        if report.finalValidationLoss >= report.initialValidationLoss {
            throw ValidationError("training did not reduce the validation loss")
        }
    }
}
