import ArgumentParser
import Fitting
import Foundation
import HandModel

/// `--from-fits` and its selection, shared by the training commands: self-data augmentation from
/// `handmesh run`'s records of real footage.
struct FitsOptions: ParsableArguments {
    @Option(name: .customLong("from-fits"), parsing: .upToNextOption,
            help: "NDJSON records of `handmesh run` whose confident fits are augmented into training samples.")
    var paths: [String] = []
    @Option(help: "Share of samples drawn around the fits; the rest from the model alone (with --from-fits).")
    var realShare = SelfAugmentation().realShare
    @Option(help: "Never read fits of frames at or after this index (the held-out part of the clips).")
    var beforeFrame: Int?
    @Flag(inversion: .prefixedNo, help: "Refit each kept frame's pose and shape to its fitted joints without the track's bone factors, starting from the bundled regressor's estimate.")
    var refit = true

    /// The kept fits (none without --from-fits) and the augmentation; prints what was kept and why
    /// the rest was dropped.
    func load() throws -> ([FittedFrame], SelfAugmentation) {
        var augmentation = SelfAugmentation()
        augmentation.realShare = realShare
        guard !paths.isEmpty else { return ([], augmentation) }
        guard (0...1).contains(realShare) else { throw ValidationError("--real-share must be 0 to 1; got \(realShare)") }
        var selection = FitSelection()
        if let beforeFrame { selection.beforeFrame = beforeFrame }
        var fitted = FittedFrames()
        for path in paths {
            let before = (fitted.frames.count, fitted.considered)
            try fitted.append(path: path, selection: selection)
            print("\(path): kept \(fitted.frames.count - before.0) of \(fitted.considered - before.1) fitted frames")
        }
        print("fits: \(fitted.summary)")
        if refit { fitted.refit(model: HandModel.builtIn(side: .right), regressor: try HandRegressor.bundled()) }
        guard !fitted.frames.isEmpty else { throw ValidationError("--from-fits: no confident frame in \(paths.joined(separator: ", "))") }
        print(String(format: "mixing %.0f%% of samples around the fits with %.0f%% from the model", 100 * realShare, 100 * (1 - realShare)))
        return (fitted.frames, augmentation)
    }

    /// What the weights' file records about the fits; nothing without them, so that a model-only
    /// training writes the same bytes as before the option existed.
    func metadata(kept: Int) -> [String: String] {
        guard !paths.isEmpty else { return [:] }
        var m = ["from_fits": paths.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ","),
                 "fit_frames": "\(kept)", "real_share": "\(realShare)"]
        if let beforeFrame { m["before_frame"] = "\(beforeFrame)" }
        return m
    }
}
