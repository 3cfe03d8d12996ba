/// The figures behind `handmesh bench handmodel`: per-call medians of the forward function, and a
/// central finite-difference Jacobian (the peer an analytic Jacobian replaces) timed in the same run.
public enum HandModelBenchmark {
    public struct Figure: Sendable {
        public var name: String
        /// Median over runs of the mean time per call within a run, microseconds.
        public var medianMicroseconds: Double
        public var minimumMicroseconds: Double
    }

    public struct Result: Sendable {
        public var figures: [Figure]
        public var runs: Int
        public var vertexCount: Int
        public var hasPoseCorrectives: Bool

        public func figure(_ name: String) -> Figure? { figures.first { $0.name == name } }

        /// How many times slower finite differences are than the analytic Jacobian.
        public var finiteDifferenceRatio: Double? {
            guard let fd = figure(Case.finiteDifferences.rawValue), let a = figure(Case.keypointsJacobian.rawValue) else { return nil }
            return fd.medianMicroseconds / a.medianMicroseconds
        }

        public var report: String {
            var lines = ["hand model: \(vertexCount) vertices, pose correctives \(hasPoseCorrectives ? "yes" : "no"); median of \(runs) runs, per call"]
            for f in figures {
                let goal = Case(rawValue: f.name)?.goalMicroseconds.map { String(format: "  (goal ≤ %.0f µs)", $0) } ?? ""
                let name = f.name.padding(toLength: 46, withPad: " ", startingAt: 0)
                lines.append("  \(name) " + String(format: "%9.2f µs  (min %.2f)", f.medianMicroseconds, f.minimumMicroseconds) + goal)
            }
            if let r = finiteDifferenceRatio {
                lines.append(String(format: "  finite differences / analytic Jacobian: %.1fx", r))
            }
            return lines.joined(separator: "\n")
        }
    }

    public enum Case: String, CaseIterable, Sendable {
        case keypoints = "21 keypoints"
        case keypointsJacobian = "21 keypoints + analytic Jacobian (63 x 61)"
        case finiteDifferences = "21 keypoints + central-difference Jacobian"
        case vertices = "all vertices"
        case verticesJacobian = "all vertices + analytic Jacobian"

        var goalMicroseconds: Double? {
            switch self {
            case .keypointsJacobian: return 20
            case .vertices: return 100
            default: return nil
            }
        }
    }

    /// Times each case `runs` times; a run repeats the call enough to last about `runMilliseconds`.
    public static func run(model: HandModel, runs: Int = 15, runMilliseconds: Double = 20) -> Result {
        let ws = HandModelWorkspace(model: model)
        // A fixed, moderately bent pose with non-zero shape: no special-case shortcuts.
        var p = HandParameters.rest
        for i in 0..<45 { p.pose[i] = 0.3 * Foundation.sin(Double(i) * 1.7) }
        for i in 0..<10 { p.shape[i] = 0.5 * Foundation.cos(Double(i)) }
        p.globalOrient = SIMD3(0.4, -0.2, 0.9)
        p.transl = SIMD3(0.01, -0.02, 0.5)
        let keypoints = UnsafeMutableBufferPointer<SIMD3<Double>>.allocate(capacity: HandModel.keypointCount)
        let plus = UnsafeMutableBufferPointer<SIMD3<Double>>.allocate(capacity: HandModel.keypointCount)
        let minus = UnsafeMutableBufferPointer<SIMD3<Double>>.allocate(capacity: HandModel.keypointCount)
        let jacobian = UnsafeMutableBufferPointer<Double>.allocate(capacity: 63 * HandParameters.count)
        let vertices = UnsafeMutableBufferPointer<SIMD3<Double>>.allocate(capacity: model.vertexCount)
        let vertexJacobian = UnsafeMutableBufferPointer<Double>.allocate(capacity: model.vertexCount * 3 * HandParameters.count)
        defer {
            keypoints.deallocate(); plus.deallocate(); minus.deallocate(); jacobian.deallocate()
            vertices.deallocate(); vertexJacobian.deallocate()
        }
        var perturbed = p
        func finiteDifferenceJacobian() {
            let h = 1e-6
            for col in 0..<HandParameters.count {
                shift(&perturbed, col, h)
                model.keypoints(perturbed, into: plus, jacobian: nil, workspace: ws)
                shift(&perturbed, col, -2 * h)
                model.keypoints(perturbed, into: minus, jacobian: nil, workspace: ws)
                shift(&perturbed, col, h)
                for k in 0..<HandModel.keypointCount {
                    let d = (plus[k] - minus[k]) / (2 * h)
                    jacobian[(3 * k) * HandParameters.count + col] = d.x
                    jacobian[(3 * k + 1) * HandParameters.count + col] = d.y
                    jacobian[(3 * k + 2) * HandParameters.count + col] = d.z
                }
            }
        }
        var calls: [() -> Void] = []
        for c in Case.allCases {
            switch c {
            case .keypoints: calls.append { model.keypoints(p, into: keypoints, jacobian: nil, workspace: ws) }
            case .keypointsJacobian: calls.append { model.keypoints(p, into: keypoints, jacobian: jacobian, workspace: ws) }
            case .finiteDifferences: calls.append(finiteDifferenceJacobian)
            case .vertices: calls.append { model.vertices(p, into: vertices, jacobian: nil, workspace: ws) }
            case .verticesJacobian: calls.append { model.vertices(p, into: vertices, jacobian: vertexJacobian, workspace: ws) }
            }
        }
        // Calibrate each case's repeat count so a run lasts about runMilliseconds.
        let repeats = calls.map { call -> Int in
            var n = 1
            while seconds({ for _ in 0..<n { call() } }) < runMilliseconds / 1000 / 4 { n *= 2 }
            return 4 * n
        }
        // Cases take turns within each run, so load from other processes on a shared machine falls
        // on all of them alike and the ratios stay meaningful.
        var times = [[Double]](repeating: [], count: calls.count)
        for _ in 0..<max(runs, 1) {
            for (c, call) in calls.enumerated() {
                times[c].append(seconds({ for _ in 0..<repeats[c] { call() } }) / Double(repeats[c]) * 1e6)
            }
        }
        let figures = zip(Case.allCases, times).map { c, t in
            let sorted = t.sorted()
            return Figure(name: c.rawValue, medianMicroseconds: median(sorted), minimumMicroseconds: sorted[0])
        }
        return Result(figures: figures, runs: runs, vertexCount: model.vertexCount, hasPoseCorrectives: model.hasPoseCorrectives)
    }

    private static func shift(_ p: inout HandParameters, _ column: Int, _ h: Double) {
        switch column {
        case 0..<3: p.globalOrient[column] += h
        case 3..<48: p.pose[column - 3] += h
        case 48..<58: p.shape[column - 48] += h
        default: p.transl[column - 58] += h
        }
    }

    private static func seconds(_ body: () -> Void) -> Double {
        let d = ContinuousClock().measure(body)
        return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    static func median(_ sorted: [Double]) -> Double {
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}

import Foundation
