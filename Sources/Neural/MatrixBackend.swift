/// Which matrix product runs the convolutions (chosen at load, since it decides the weight layout).
public enum MatrixBackend: String, Sendable, CaseIterable {
    /// The engine's own AVX2/FMA GEMM with weights packed at load and bias and activation folded
    /// into the tile store (`PackedGEMM`). The default: on these networks' shapes (K of 16–1152,
    /// M of 49–12544) it beats OpenBLAS, which repacks both operands on every call.
    case packed
    /// OpenBLAS `cblas_sgemm` on TFLite's filter as stored, followed by a bias-and-activation pass
    /// over each block. Kept as a reference path; an interpreter using it sets OpenBLAS to one
    /// thread (process-wide), since the engine runs its own threads.
    case openBLAS = "openblas"
}
