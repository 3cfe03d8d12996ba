import CKernels

/// The arithmetic of the convolutions' matrix products, chosen at load (it decides how the weights
/// are stored). Every other operator runs in fp32 either way, and so do all activations between
/// operators: only the inside of a convolution's product changes.
public enum Precision: String, Sendable, CaseIterable {
    /// fp32 throughout: LiteRT's (XNNPACK's) arithmetic, to within summation order.
    case float32
    /// CONV_2D products in int8 on AVX-512 VNNI (`CKernels`' `handmesh_s8_gemm`): weights quantized
    /// per output channel to s8 once at load, each convolution's input quantized to u8 as it runs,
    /// with a scale and zero point from that tensor's own range (dynamic, per tensor), int32 sums,
    /// then dequantized with bias and activation applied in fp32. About 4x the multiply-adds
    /// a cycle of fp32 on Zen 4, at a small, measured cost in accuracy (NeuralTests'
    /// `testHandLandmarkFullInt8NearLiteRT`, EvidenceTests' oracle test). Falls back to `.float32` on CPUs
    /// without VNNI and on the OpenBLAS backend; `TFLiteModel.precision` says which one runs.
    case int8

    /// Whether this CPU runs `.int8` (AVX-512 F, BW, VL and VNNI, with the OS saving their registers).
    public static var int8Available: Bool { handmesh_s8_supported() != 0 }

    /// `.int8` where the CPU has it, else `.float32`: the engine's default.
    public static var fastest: Precision { int8Available ? .int8 : .float32 }
}
