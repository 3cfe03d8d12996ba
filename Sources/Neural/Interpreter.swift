import COpenBLAS
import Foundation

/// Runs a `TFLiteModel`: one per pipeline, never used from two threads at once.
///
/// Everything an inference touches is allocated here, at init: the activation arena laid out by
/// the model's memory plan and the convolution scratch for each worker. `invoke` allocates nothing.
///
/// Threads: OpenBLAS's own thread count is process-wide, so it cannot honour a per-interpreter
/// count. The engine therefore splits every large operator into blocks (rows of the output, or
/// output channels when there are few rows) and spreads them over its own `threads - 1` worker
/// threads plus the caller (`WorkerPool`, started here and parked between operators). With the
/// `.openBLAS` backend each sgemm covers one block on one thread, so OpenBLAS is set to one thread. Interpreters with
/// different thread counts then run side by side without fighting over a shared pool.
public final class Interpreter {
    public let model: TFLiteModel
    public let threads: Int
    /// False: invocations run on the caller's thread alone and the workers stay parked, for while
    /// another thread needs the other core (`HandTracker`'s palm search). The outputs are the same
    /// bit for bit either way (ConcurrencyTests).
    public var usesWorkers = true
    private let arena: UnsafeMutablePointer<Float>
    private let scratch: UnsafeMutablePointer<Float>
    private let scratchCount: Int
    private let pool: WorkerPool

    /// - Parameter threads: workers one inference may use (1 or more).
    public init(model: TFLiteModel, threads: Int = 1) throws {
        guard threads >= 1, threads <= 256 else {
            throw ModelError(file: model.name, problem: "thread count \(threads) must be between 1 and 256")
        }
        self.model = model
        self.threads = threads
        if model.backend == .openBLAS {
            // Process-wide, and the same value every time: see the type's comment.
            openblas_set_num_threads(1)
        }
        let plan = model.plan
        arena = .allocate(capacity: max(plan.arenaSize, 1))
        arena.initialize(repeating: 0, count: max(plan.arenaSize, 1))
        scratchCount = max(plan.scratchPerWorker * threads, 1)
        scratch = .allocate(capacity: scratchCount)
        scratch.initialize(repeating: 0, count: scratchCount)
        pool = WorkerPool(threads: threads)
    }

    deinit {
        arena.deallocate()
        scratch.deallocate()
    }

    public var inputCount: Int { model.plan.inputs.count }
    public var outputCount: Int { model.plan.outputs.count }

    /// Shape of input `index` (NHWC for images). Landmark models take [1,224,224,3] RGB in [0,1];
    /// palm models take [1,192,192,3] RGB in [0,1] (MediaPipe's palm_detection_cpu.pbtxt sets
    /// ImageToTensorCalculator's output_tensor_float_range to min 0, max 1).
    public func inputShape(_ index: Int) -> [Int] { model.plan.inputs[index].shape }
    /// Shape of output `index`, in the subgraph's output order.
    public func outputShape(_ index: Int) -> [Int] { model.plan.outputs[index].shape }

    /// Lends input `index` for writing; it keeps its contents until overwritten.
    public func withInput<R>(_ index: Int, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        let port = model.plan.inputs[index]
        return try body(UnsafeMutableBufferPointer(start: arena + port.offset, count: port.count))
    }

    /// Runs `task(job, part, worker)` for every part in `0..<parts` on the threads an inference
    /// would use now (`usesWorkers`), for work that feeds the network, such as cropping its input.
    /// `job` points at a copy of `values` for the call's duration.
    public func split<Job>(_ parts: Int, _ values: Job, _ task: ParallelTask) {
        withUnsafePointer(to: values) { job in
            if usesWorkers && threads > 1 {
                pool.run(parts, job: UnsafeRawPointer(job), task)
            } else {
                for part in 0..<parts { task(UnsafeRawPointer(job), part, 0) }
            }
        }
    }

    /// Lends output `index` as the last `invoke` left it.
    public func withOutput<R>(_ index: Int, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let port = model.plan.outputs[index]
        return try body(UnsafeBufferPointer(start: arena + port.offset, count: port.count))
    }

    /// Runs the model on the current inputs.
    ///
    /// Subnormal floats are flushed to zero while it runs (and the caller's setting restored after),
    /// as XNNPACK does: on x86 each subnormal operand costs a microcode assist, which made some
    /// layers several times slower.
    public func invoke() {
        let state = handmesh_flush_denormals()
        defer { handmesh_restore_float_state(state) }
        withContext { context in
            for step in model.plan.steps { step.run(context) }
        }
    }

    /// Runs the model like `invoke` and adds each operator's time, in nanoseconds of `clock`
    /// (monotonic wall time unless given), to `nanoseconds[i]` (indexed like `model.operatorLabels`).
    /// For benchmarks.
    public func invoke(addingTimesTo nanoseconds: inout [UInt64],
                       clock: () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }) {
        let plan = model.plan
        precondition(nanoseconds.count == plan.steps.count, "one time slot per operator")
        let state = handmesh_flush_denormals()
        defer { handmesh_restore_float_state(state) }
        withContext { context in
            for (i, step) in plan.steps.enumerated() {
                let start = clock()
                step.run(context)
                nanoseconds[i] += clock() &- start
            }
        }
    }

    /// The steps' view of this interpreter and its model, valid inside `body`.
    @inline(__always)
    private func withContext(_ body: (ExecutionContext) -> Void) {
        let plan = model.plan
        plan.weights.withUnsafeBufferPointer { weights in
            plan.bytes.withUnsafeBufferPointer { bytes in
                body(ExecutionContext(arena: arena, weights: weights.baseAddress!, bytes: bytes.baseAddress!, scratch: scratch,
                                      scratchPerWorker: plan.scratchPerWorker, threads: usesWorkers ? threads : 1, pool: pool))
            }
        }
    }
}
