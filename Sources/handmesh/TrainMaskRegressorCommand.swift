import ArgumentParser
import Fitting
import Foundation
import HandModel
import Silhouette

/// `handmesh train mask-regressor`: the mask-only regressor (Mask2Hand mode) on silhouettes
/// rendered from the built-in hand model. The committed weights come from
///   handmesh train mask-regressor
/// (seed 20220715, 5000 steps of 256, one BLAS thread; samples are seeded one by one, so the
/// weights are the same bit for bit whatever --workers).
struct TrainMaskRegressor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mask-regressor",
        abstract: "Train the mask regressor (hand keypoints from a binary mask); write safetensors.")

    @Flag(help: "A short run (150 steps of 64) that proves the command works; writes to --output or a temporary file.")
    var quick = false
    @Option(help: "Training steps (default 5000; --quick 150).") var steps: Int?
    @Option(help: "Minibatch size (default 256; --quick 64).") var batchSize: Int?
    @Option(help: "Random seed: sampling, initialization and order.") var seed: UInt64 = MaskRegressorTrainingOptions().seed
    @Option(help: "Threads rendering training silhouettes (does not change the result).") var workers: Int = 2
    @Option(help: "Share of samples drawn as a hand dataset's 224 px crops (fx 300-800, the hand 25-70% of the frame, any view, cut by the frame's edge); 0 for the committed weights.")
    var cropShare = 0.0
    @Option(help: "Where to write the weights (default Sources/Silhouette/Resources/mask-regressor.safetensors; --quick: a temporary file).")
    var output: String?
    @OptionGroup var fits: FitsOptions

    func run() throws {
        var options = quick ? MaskRegressorTrainingOptions.quick : MaskRegressorTrainingOptions()
        if let steps { options.steps = steps }
        if let batchSize { options.batchSize = batchSize }
        options.seed = seed
        options.workers = workers
        options.cropShare = cropShare
        guard options.steps >= 1, options.batchSize >= 1, options.workers >= 1 else {
            throw ValidationError("--steps, --batch-size and --workers must be at least 1")
        }
        guard (0...1).contains(cropShare) else { throw ValidationError("--crop-share must be 0 to 1; got \(cropShare)") }
        let (fitted, augmentation) = try fits.load()
        let path = output ?? (quick ? FileManager.default.temporaryDirectory.appendingPathComponent("handmesh-mask-regressor-quick.safetensors").path
                                    : "Sources/Silhouette/Resources/mask-regressor.safetensors")
        let model = HandModel.builtIn(side: .right)
        print("training the mask regressor: \(options.steps) steps of \(options.batchSize), seed \(options.seed)")
        let (regressor, report) = MaskRegressorTraining.train(model: model, options: options, fits: fitted,
                                                              augmentation: augmentation) { print($0) }
        var metadata = [
            "producer": "handmesh train mask-regressor", "steps": "\(options.steps)", "batch_size": "\(options.batchSize)",
            "seed": "\(options.seed)",
        ]
        // Only when used, so that a training without it writes the same bytes as before it existed.
        if options.cropShare > 0 { metadata["crop_share"] = "\(options.cropShare)" }
        metadata.merge(fits.metadata(kept: fitted.count)) { a, _ in a }
        try regressor.write(to: URL(fileURLWithPath: path), metadata: metadata)
        print(String(format: "wrote %@ (validation loss %.4f -> %.4f, PA-MPJPE %.1f mm, %.0f s)",
                     path, report.initial.loss, report.final.loss, report.final.paMpjpeMillimetres, report.seconds))
        if report.final.loss >= report.initial.loss {
            throw ValidationError("training did not reduce the validation loss")
        }
    }
}
