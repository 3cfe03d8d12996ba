import ArgumentParser
import Dispatch
import Foundation
import Neural

/// `handmesh bench models`: median latency of each hand network at 1 and 2 threads in each
/// precision asked for, and a per-operator breakdown in each: of landmark-full, or of every network
/// `--only` names. `scripts/bench-models` runs this next to LiteRT on the
/// same inputs and prints the ratios.
struct BenchModels: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Median inference latency of the four hand networks, and landmark-full (or the --only networks) per operator.")

    @OptionGroup var location: Models.Location
    @Option(help: "Timed runs per model and thread count (the median is reported).") var runs = 50
    @Option(help: "Untimed runs first.") var warmup = 10
    @Option(help: "Thread counts to measure, comma-separated.") var threads = "1,2"
    @Option(help: "Only these networks, comma-separated (e.g. hand_landmark_full).") var only: String?
    @Flag(help: "Print JSON (for scripts/bench-models) instead of a table.") var json = false
    @Flag(help: "Skip the per-operator breakdown.") var noBreakdown = false
    @Flag(help: "In the breakdown, list every operator in run order too (text output only).") var eachOperator = false
    @Option(help: "Precisions to measure, comma-separated: float32, int8 (default: both where the CPU runs int8).")
    var precision: String?

    func run() throws {
        let store = location.store
        let counts = threads.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--threads: give positive counts, e.g. 1,2") }
        guard runs >= 1, warmup >= 0 else { throw ValidationError("--runs must be ≥ 1 and --warmup ≥ 0") }
        var networks = HandNetwork.allCases
        if let only {
            let names = only.split(separator: ",").map(String.init)
            networks = try names.map { name in
                guard let network = HandNetwork(rawValue: name) else { throw ValidationError("--only: unknown network \(name)") }
                return network
            }
        }

        let precisions = try Self.precisions(precision)

        var results: [[String: Any]] = []
        for network in networks {
          for precision in precisions {
            let model: TFLiteModel
            do {
                try store.verify(network)
                model = try TFLiteModel(contentsOf: store.url(for: network), precision: precision)
            } catch let error as ModelError {
                throw ValidationError(error.description)
            }
            for count in counts {
                let interpreter = try Interpreter(model: model, threads: count)
                fillGradient(interpreter)
                for _ in 0..<warmup { interpreter.invoke() }
                var times = [Double](), cpuTimes = [Double]()
                for _ in 0..<runs {
                    let cpu = threadCPUMilliseconds()
                    let start = DispatchTime.now().uptimeNanoseconds
                    interpreter.invoke()
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                    cpuTimes.append(threadCPUMilliseconds() - cpu)
                }
                var row: [String: Any] = ["model": network.rawValue, "threads": count, "median_ms": median(times),
                                          "min_ms": times.min() ?? 0, "runs": runs, "precision": model.precision.rawValue]
                // With one thread the whole inference runs on this thread, so its CPU time is the
                // latency without the time other processes took the core: a steadier figure on a shared machine.
                if count == 1 { row["cpu_median_ms"] = median(cpuTimes) }
                results.append(row)
                if !json {
                    let cpu = count == 1 ? String(format: ", thread CPU median %.3f ms", median(cpuTimes)) : ""
                    print(String(format: "%-22@ %-7@ threads %d  median %7.3f ms  (min %.3f%@, %d runs)",
                                 network.rawValue as NSString, model.precision.rawValue as NSString, count, median(times),
                                 times.min() ?? 0, cpu as NSString, runs))
                }
            }
          }
        }

        var breakdown: [[String: Any]] = []
        // All four networks by default would bury landmark-full's table, the one most work goes into.
        let broken = only == nil ? networks.filter { $0 == .handLandmarkFull } : networks
        for network in broken where !noBreakdown {
            for precision in precisions {
                let model = try TFLiteModel(contentsOf: store.url(for: network), precision: precision)
                let rows = try operatorBreakdown(model, network).map {
                    $0.merging(["precision": model.precision.rawValue, "model": network.rawValue]) { $1 }
                }
                breakdown += rows
                if !json {
                    print("\n\(network.rawValue), \(model.precision), 1 thread, per operator kind (mean thread CPU time over \(runs) runs):")
                    for row in rows {
                        print(String(format: "  %-34@ %3d ops  %7.3f ms  %5.1f%%", (row["operator"] as! String) as NSString,
                                     row["count"] as! Int, row["ms"] as! Double, row["percent"] as! Double))
                    }
                }
            }
        }
        if json {
            let object: [String: Any] = ["engine": "handmesh", "results": results, "breakdown": breakdown]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    /// The precisions a --precision list names; by default fp32, and int8 too where the CPU runs it.
    static func precisions(_ list: String?) throws -> [Precision] {
        guard let list else { return Precision.int8Available ? [.float32, .int8] : [.float32] }
        let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let chosen = try names.map { name in
            guard let precision = Precision(rawValue: name) else {
                throw ValidationError("--precision: unknown precision \(name) (float32 or int8)")
            }
            return precision
        }
        guard !chosen.isEmpty else { throw ValidationError("--precision: give float32, int8 or both") }
        return chosen
    }

    /// The same synthetic "gradient" input scripts/litert_reference.py and scripts/litert_bench.py use.
    private func fillGradient(_ interpreter: Interpreter) {
        let shape = interpreter.inputShape(0)
        let height = shape[1], width = shape[2]
        interpreter.withInput(0) { input in
            for y in 0..<height {
                for x in 0..<width {
                    let u = Float(x) / Float(width - 1), v = Float(y) / Float(height - 1)
                    let i = (y * width + x) * 3
                    input[i] = u
                    input[i + 1] = v
                    input[i + 2] = 1 - 0.5 * (u + v)
                }
            }
        }
    }

    private func operatorBreakdown(_ model: TFLiteModel, _ network: HandNetwork) throws -> [[String: Any]] {
        let interpreter = try Interpreter(model: model, threads: 1)
        fillGradient(interpreter)
        for _ in 0..<warmup { interpreter.invoke() }
        var nanoseconds = [UInt64](repeating: 0, count: model.operatorCount)
        // One thread: every operator runs on this thread, so its CPU clock times them without the
        // time other processes held the core.
        for _ in 0..<runs {
            interpreter.invoke(addingTimesTo: &nanoseconds) {
                var time = timespec()
                clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
                return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
            }
        }
        if eachOperator && !json {
            print("\n\(network.rawValue), \(model.precision), each operator in run order (mean thread CPU time):")
            for (i, (label, ns)) in zip(model.operatorLabels, nanoseconds).enumerated() {
                print(String(format: "  %3d %-34@ %8.1f µs", i, label as NSString, Double(ns) / Double(runs) / 1e3))
            }
        }
        var byLabel: [String: (count: Int, ns: UInt64)] = [:]
        for (label, ns) in zip(model.operatorLabels, nanoseconds) {
            byLabel[label, default: (0, 0)].count += 1
            byLabel[label, default: (0, 0)].ns += ns
        }
        let total = Double(nanoseconds.reduce(0, +))
        return byLabel.sorted { $0.value.ns > $1.value.ns }.map { label, value in
            ["operator": label, "count": value.count, "ms": Double(value.ns) / Double(runs) / 1e6,
             "percent": 100 * Double(value.ns) / max(total, 1)]
        }
    }

    private func threadCPUMilliseconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) * 1e3 + Double(time.tv_nsec) / 1e6
    }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
