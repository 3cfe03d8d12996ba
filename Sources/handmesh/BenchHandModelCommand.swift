import ArgumentParser
import Foundation
import HandModel

/// `handmesh bench handmodel`: forward-function medians (goals: 21 keypoints with Jacobians ≤ 20 µs,
/// all vertices ≤ 100 µs) with a central-difference Jacobian timed beside the analytic one.
struct BenchHandModel: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handmodel",
        abstract: "Median time of the hand model's forward function and Jacobians, and the finite-difference ratio.")

    @Option(help: "Timed runs per case (the median is reported).") var runs = 15
    @Option(help: "A model file (e.g. converted MANO) instead of the built-in hand.") var model: String?

    func run() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be ≥ 1") }
        let hand: HandModel
        if let model {
            do { hand = try HandModel(safetensorsAt: URL(fileURLWithPath: model), side: .right) } catch let e as HandModelError {
                throw ValidationError(e.description)
            }
        } else {
            let start = ContinuousClock.now
            hand = HandModel.builtIn(side: .right)
            print("built-in model generated in \(ContinuousClock.now - start)")
        }
        print(HandModelBenchmark.run(model: hand, runs: runs).report)
    }
}
