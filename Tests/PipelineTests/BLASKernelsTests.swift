import Foundation
import XCTest

/// `handmesh` runs on the OpenBLAS kernels its CPU's instructions allow, even where OpenBLAS does
/// not know the CPU's model and falls back to its oldest set; a kernel set the user names stays.
/// The CPU's instructions are read here from /proc/cpuinfo, apart from the product's cpuid.
final class BLASKernelsTests: XCTestCase {
    /// Kernel sets by the widest instructions they use.
    static let rank = ["prescott": 0, "sandybridge": 1, "haswell": 2, "zen": 2, "skylakex": 3, "cooperlake": 4, "sapphirerapids": 5]

    /// What /proc/cpuinfo's flags allow, as an OPENBLAS_CORETYPE name.
    func bestForThisCPU() throws -> String? {
        let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        guard let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(line.split(separator: " ").map(String.init))
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"].allSatisfy(flags.contains) {
            return flags.contains("avx512_bf16") ? "Cooperlake" : "SkylakeX"
        }
        return flags.contains("avx2") && flags.contains("fma") ? "Haswell" : nil
    }

    /// The kernel sets OpenBLAS reported loading (OPENBLAS_VERBOSE=2), in order.
    func kernels(coreType: String) throws -> [String] {
        let result = try runTool(try Fixtures.handmeshBinary(), ["--version"],
                                 environment: ["OPENBLAS_VERBOSE": "2", "OPENBLAS_CORETYPE": coreType], timeout: 30)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("handmesh "), result.stdout)
        return result.stderr.split(separator: "\n").compactMap { line in
            line.hasPrefix("Core: ") ? String(line.dropFirst(6)) : nil
        }
    }

    func testRunsOnTheKernelsItsCPUAllows() throws {
        let loaded = try kernels(coreType: "")
        guard let last = loaded.last else { throw XCTSkip("this OpenBLAS does not choose its kernels at run time") }
        guard let best = try bestForThisCPU() else { return }
        XCTAssertGreaterThanOrEqual(Self.rank[last.lowercased()] ?? -1, Self.rank[best.lowercased()]!,
                                    "loaded \(loaded), the CPU allows \(best)")
        XCTAssertLessThanOrEqual(loaded.count, 2, "at most one restart: \(loaded)")
    }

    func testAKernelSetTheUserNamesStays() throws {
        XCTAssertEqual(try kernels(coreType: "Prescott"), ["Prescott"])
    }
}
