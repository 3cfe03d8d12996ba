import COpenBLAS
import Foundation

/// The OpenBLAS kernels this process runs on. Debian's OpenBLAS chooses them when it loads, by the
/// CPU's model name, and takes its oldest x86-64 set (Prescott, SSE3) for a model it does not know,
/// as on cloud machines that report "Intel(R) Xeon(R) Processor" with AVX-512 inside. There the
/// fit runs at half speed (`handmesh bench fit` on such a machine: warm refinement 0.440 ms with
/// Prescott, 0.213 with Cooperlake; regression 0.098 ms and 0.028) and trained weights differ from
/// those of a machine that picked right. The choice is made before `main` runs, so a process that
/// finds it wrong starts itself again with `OPENBLAS_CORETYPE` set.
public enum BLASKernels {
    /// The kernel set OpenBLAS runs (`openblas_get_corename`), e.g. "Cooperlake".
    public static var current: String { String(cString: openblas_get_corename()) }

    /// The set for this CPU's instruction set, if it is better than what OpenBLAS took.
    static var better: String? {
        guard let name = handmesh_openblas_core_for_cpu().map({ String(cString: $0) }) else { return nil }
        return rank(name) > rank(current) ? name : nil
    }

    /// Restarts this process on `better` kernels, unless `OPENBLAS_CORETYPE` already names a set
    /// (the user's choice, or this restart's; empty counts as unset). Call first thing in `main`:
    /// nothing may have run that a fresh start would repeat. Returns when there is nothing to do or
    /// the restart failed.
    public static func restartOnBetterKernels() {
        #if os(Linux)
        if let chosen = getenv("OPENBLAS_CORETYPE"), chosen.pointee != 0 { return }
        guard let name = better else { return }
        setenv("OPENBLAS_CORETYPE", name, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Still here: carry on with the kernels we have, and do not try again in children.
        #endif
    }

    /// Kernel sets by the widest instructions they use; unknown names count as the oldest.
    static func rank(_ name: String) -> Int {
        switch name.lowercased() {
        case "sapphirerapids": 5
        case "cooperlake": 4
        case "skylakex": 3
        case "haswell", "zen", "excavator", "steamroller": 2
        case "sandybridge", "bulldozer", "piledriver": 1
        default: 0
        }
    }
}
