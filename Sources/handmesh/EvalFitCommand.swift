import ArgumentParser
import Fitting
import Foundation
import HandModel

/// `handmesh eval …`: accuracy and stability measurements on real recordings.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure accuracy and stability on recorded evidence.",
        subcommands: [EvalFit.self, EvalStereo.self, EvalRegressor.self, EvalMask.self])
}

/// `handmesh eval fit`: fits recorded evidence (frame records from `handmesh run`, or
/// scripts/fit_landmarks_oracle.py's) as the live stage would and reports fit fidelity,
/// temporal stability and lag; with a second view and the stereo calibration, cross-view
/// consistency and the error against triangulated points.
struct EvalFit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit fidelity, temporal stability, lag and cross-view consistency on recorded evidence.")

    @Argument(help: "Frame records (JSON lines) of view 0.") var view0: String
    @Argument(help: "Frame records of view 1 (same instants), for cross-view figures.") var view1: String?
    @Option(help: "The stereo-hand camera_parameters folder (c0.dat, c1.dat, rot_trans_c1.dat).")
    var calibration = "../shared/data/stereo-hand/camera_parameters"
    @Option(help: "Regressor weights (default: the committed ones).") var regressor: String?

    func run() throws {
        let cal = try StereoCalibration(directory: URL(fileURLWithPath: calibration))
        let reg = try regressor.map { try HandRegressor(contentsOf: URL(fileURLWithPath: $0)) } ?? HandRegressor.bundled()
        let r0 = try EvidenceRecords(contentsOf: URL(fileURLWithPath: view0))
        let r1 = try view1.map { try EvidenceRecords(contentsOf: URL(fileURLWithPath: $0)) }
        var unfilteredFits: [SequenceEvaluation.Fitted] = []
        for filtered in [false, true] {
            print(filtered ? "with the One Euro filter (standard settings):" : "without the filter:")
            for (name, records, camera) in [("view 0", r0, cal.camera0)] + (r1.map { [("view 1", $0, cal.camera1)] } ?? []) {
                var settings = FitSettings(camera: camera)
                if !filtered { settings.filter = nil }
                let fitted = SequenceEvaluation.fit(records, regressor: reg, settings: settings)
                if !filtered { unfilteredFits.append(fitted) }
                let r = SequenceEvaluation.report(fitted)
                print(String(format: "  %@: %d of %d frames with a hand, %.0f%% warm", name, r.fittedFrames, r.frames, r.warmShare * 100))
                print(String(format: "    reprojection to the 2D evidence   %6.2f px mean (goal ≤ 2)", r.meanReprojection))
                print(String(format: "    PA distance to world landmarks    %6.2f mm mean (goal ≤ 5)", r.paToWorld))
                print(String(format: "    jitter (2nd difference, centred)  %6.2f mm fitted vs %.2f mm world landmarks: ratio %.2f (goal ≤ 0.5)",
                             r.jitterFitted, r.jitterWorld, r.jitterFitted / r.jitterWorld))
                print(String(format: "    jitter of absolute joints3d       %6.2f mm", r.jitterFittedAbsolute))
                print(String(format: "    lag behind the evidence           %6.2f frames 3D, %.2f frames 2D (goal ≤ 1)", r.lag3D, r.lag2D))
                print(String(format: "    time                              %6.3f ms warm median (%.0f iterations), %.3f ms cold median (%.0f iterations)",
                             r.warmMilliseconds, r.warmIterations, r.coldMilliseconds, r.coldIterations))
            }
        }
        if unfilteredFits.count == 2 {
            let c = SequenceEvaluation.crossView(unfilteredFits[0], unfilteredFits[1], calibration: cal)
            print(String(format: "cross-view, %d frames with a hand in both views (unfiltered fits):", c.frames))
            print(String(format: "  wrist-relative joints, view 0 rotated into view 1 vs view 1: %6.2f mm fitted, %.2f mm MediaPipe world landmarks",
                         c.rotatedFitted, c.rotatedWorld))
            print(String(format: "  vs points triangulated from both views' 2D evidence: %6.2f mm after a similarity per frame (world landmarks: %.2f mm), %.2f mm after one similarity for the sequence",
                         c.triangulatedPerFrame, c.triangulatedWorldPerFrame, c.triangulatedGlobal))
        }
    }
}
