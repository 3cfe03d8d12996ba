import Foundation

/// A TFLite model loaded, checked and lowered to an execution plan, with its weights as fp32 (and
/// the convolutions' as s8 too, in `Precision.int8`).
///
/// Immutable once built, so one instance is shared by every `Interpreter` (and thread) that runs it;
/// each interpreter holds only its own activations.
public final class TFLiteModel: Sendable {
    /// The file name (or the name given with the bytes), used in errors.
    public let name: String
    let plan: ExecutionPlan

    /// The matrix product its convolutions run on.
    public let backend: MatrixBackend
    /// The arithmetic its convolutions run in: the one asked for, unless that was `.int8` on a CPU
    /// without VNNI or with the OpenBLAS backend, which run `.float32`.
    public let precision: Precision

    /// Reads and checks the model at `url`; a missing, truncated or corrupted file throws a
    /// `ModelError` naming the file and what is wrong.
    /// - Parameter precision: `.float32` (the default: LiteRT's arithmetic) or `.int8`.
    public convenience init(contentsOf url: URL, backend: MatrixBackend = .packed, precision: Precision = .float32) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ModelError.unreadable(url, error)
        }
        try self.init(bytes: [UInt8](data), name: url.path, backend: backend, precision: precision)
    }

    public convenience init(bytes: [UInt8], name: String, backend: MatrixBackend = .packed, precision: Precision = .float32) throws {
        try self.init(bytes: bytes, name: name, backend: backend, precision: precision, directConvolutions: true)
    }

    /// - Parameter directConvolutions: false runs convolutions over few input channels (the first
    ///   layers, on RGB) through fp32 im2col and the GEMM, as before their own kernels (direct at
    ///   float32, byte patches at int8): for tests that check the two give the same bits.
    @_spi(Testing)
    public init(bytes: [UInt8], name: String, backend: MatrixBackend, precision: Precision, directConvolutions: Bool) throws {
        self.name = name
        self.backend = backend
        self.precision = precision == .int8 && backend == .packed && Precision.int8Available ? .int8 : .float32
        plan = try ExecutionPlan(TFLiteFile(bytes: bytes, name: name), backend: backend, precision: self.precision,
                                 direct: directConvolutions)
    }

    public var inputCount: Int { plan.inputs.count }
    public var outputCount: Int { plan.outputs.count }
    /// Tensor names of the inputs and outputs, in the subgraph's order.
    public var inputNames: [String] { plan.inputs.map(\.name) }
    public var outputNames: [String] { plan.outputs.map(\.name) }
    /// Number of operators the plan runs (DEQUANTIZE of weights is done at load and not counted).
    public var operatorCount: Int { plan.steps.count }
    /// A label per planned operator, in run order (e.g. "DEPTHWISE_CONV_2D 5x5/2").
    public var operatorLabels: [String] { plan.steps.map(\.label) }
    /// Bytes of activations one interpreter preallocates.
    public var arenaBytes: Int { plan.arenaSize * MemoryLayout<Float>.stride }
}
