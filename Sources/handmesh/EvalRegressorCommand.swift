import ArgumentParser
import Fitting
import Foundation
import HandModel

/// `handmesh eval regressor`: the regressor alone (cold, no refinement) on a run's own evidence,
/// against the run's full fits and, with both views, against triangulated points.
struct EvalRegressor: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "regressor",
        abstract: "PA-MPJPE of the regressor alone on recorded evidence, against the fits and triangulated points.",
        discussion: """
        Each RUN's first hand per frame: its landmarks, world landmarks and ROI go through the \
        regressor; the estimate's joints are compared with the record's joints3d (the full fit) \
        after a similarity. With --truth0 and --truth1 (the two calibrated views' records), also \
        against the points triangulated from their 2D landmarks. --from-frame scores only the \
        held-out part of a clip.
        """)

    @Option(help: "Regressor weights (default: the committed ones).") var regressor: String?
    @Option(help: "Score only frames at or after this index.") var fromFrame = 0
    @OptionGroup var stereo: StereoTruthOptions
    @Argument(help: "Records of `handmesh run` to score.") var records: [String]

    func run() throws {
        let r = try regressor.map { try HandRegressor(contentsOf: URL(fileURLWithPath: $0)) } ?? HandRegressor.bundled()
        var truth: [Int: [SIMD3<Double>]] = [:]
        if stereo.truth0 != nil || stereo.truth1 != nil {
            let cal = try StereoCalibration(directory: URL(fileURLWithPath: stereo.calibration))
            guard let t = try stereo.triangulated(calibration: cal) else { throw ValidationError("eval regressor: give both --truth0 and --truth1") }
            truth = t
        }
        let models = [false: HandModel.builtIn(side: .right), true: HandModel.builtIn(side: .left)]
        var ws = HandRegressor.Workspace(r)
        for path in records {
            let evidence = try EvidenceRecords(contentsOf: URL(fileURLWithPath: path))
            let fits = try ScoredHands(path: path)
            var toFit: [Double] = [], toFitOnTrack: [Double] = [], toTruth: [Double] = []
            for case let frame? in evidence.frames where frame.index >= fromFrame {
                var p = HandParameters()
                r.predict(frame.evidence, into: &p, workspace: &ws)
                // A cold fit starts at the landmark network's proportions (`FitSettings.landmarkProportions`).
                let model = models[frame.evidence.isLeft]!
                let joints = model.keypoints(p, boneFactors: model.landmarkBoneFactors)
                let fit = fits.hands[frame.index]
                if let fitted = fit?.joints3d {
                    toFit.append(Procrustes.alignedMeanDistance(joints, fitted) * 1000)
                    // A track's hand is its shape and bone factors, which no single frame's regression
                    // gives: the regressor's pose on the track's hand says how far its pose alone is.
                    if let shape = fit?.shape, let factors = fit?.boneFactors {
                        var onTrack = p
                        onTrack.shape = shape
                        let posed = model.keypoints(onTrack, boneFactors: factors)
                        toFitOnTrack.append(Procrustes.alignedMeanDistance(posed, fitted) * 1000)
                    }
                }
                // The joints are aligned onto the triangulated points (metric: StereoScore.metricScale).
                if let t = truth[frame.index] { toTruth.append(Procrustes.alignedMeanDistance(joints, t) * 1000) }
            }
            print(String(format: "%@: %d frames from %d; regressor alone against the fits %.2f mm PA-MPJPE (median %.2f)",
                         path, toFit.count, fromFrame, FitBenchmark.mean(toFit), FitBenchmark.median(toFit)))
            if !toFitOnTrack.isEmpty {
                print(String(format: "  its pose on the track's hand (shape, bone factors) %.2f mm (median %.2f)",
                             FitBenchmark.mean(toFitOnTrack), FitBenchmark.median(toFitOnTrack)))
            }
            if !toTruth.isEmpty {
                print(String(format: "  against triangulated points %.2f mm over %d frames", FitBenchmark.mean(toTruth), toTruth.count))
            }
        }
    }
}
