
/// What a step needs at run time: the interpreter's arena and scratch, and the model's weights.
/// Built once per `invoke` on the stack; the pointers belong to `Interpreter` and `TFLiteModel`.
struct ExecutionContext {
    let arena: UnsafeMutablePointer<Float>
    let weights: UnsafePointer<Float>
    /// The model's byte pool: s8 weights of `.int8` convolutions.
    let bytes: UnsafePointer<Int8>
    let scratch: UnsafeMutablePointer<Float>
    /// Floats of scratch each worker owns, starting at `scratch + worker * scratchPerWorker`.
    let scratchPerWorker: Int
    let threads: Int

    let pool: WorkerPool

    /// Runs `task(job, index, worker)` for every index in `0..<tasks`, split into contiguous runs
    /// over the interpreter's threads; `job` points at a copy of `values` on the caller's stack.
    /// One thread runs inline and never touches the pool.
    @inline(__always)
    func parallel<Job>(_ tasks: Int, _ values: Job, _ task: ParallelTask) {
        withUnsafePointer(to: values) { job in
            if threads <= 1 || tasks <= 1 {
                for index in 0..<tasks { task(UnsafeRawPointer(job), index, 0) }
                return
            }
            pool.run(tasks, job: UnsafeRawPointer(job), task)
        }
    }
}

extension ExecutionContext {
    /// Floats an elementwise pass must have per part before it is split (128 KiB): the smaller passes,
    /// such as the palm network's 12x12 and 6x6 ADDs, stay on the calling thread.
    static let elementsPerPart = 1 << 15

    /// Parts for an elementwise pass over `count` floats: at most two per thread, so a thread that
    /// has its core takes over from one that has not (`WorkerPool`).
    func elementwiseParts(_ count: Int) -> Int { min(2 * threads, max(1, count / Self.elementsPerPart)) }
}

/// Part `part` of `parts` contiguous ranges over `0..<count`, each a whole number of `unit`s but the
/// last, which ends at `count`.
@inline(__always)
func partRange(_ part: Int, of parts: Int, count: Int, unit: Int) -> Range<Int> {
    let units = count / unit
    let lower = part * units / parts * unit
    return lower..<(part == parts - 1 ? count : (part + 1) * units / parts * unit)
}

/// One part of an operator split over the interpreter's threads: `job` points at the operator's
/// values for this run, `index` is the part, `worker` the thread (for its scratch). A C function
/// captures nothing, so handing it to the workers allocates nothing; a Swift closure's context
/// would be boxed on the heap for them, once per operator (about 80 allocations a frame for the
/// landmark network on two threads).
public typealias ParallelTask = @convention(c) (_ job: UnsafeRawPointer, _ index: Int, _ worker: Int) -> Void

/// The activations TFLite fuses into an operator, as a clamp range: NONE is (-inf, inf).
struct Clamp: Equatable {
    var low: Float
    var high: Float

    static let none = Clamp(low: -.infinity, high: .infinity)

    /// From the schema's ActivationFunctionType: 0 NONE, 1 RELU, 2 RELU_N1_TO_1, 3 RELU6.
    init?(fused code: Int8) {
        switch code {
        case 0: self = .none
        case 1: self.init(low: 0, high: .infinity)
        case 2: self.init(low: -1, high: 1)
        case 3: self.init(low: 0, high: 6)
        default: return nil
        }
    }

    init(low: Float, high: Float) {
        self.low = low
        self.high = high
    }

    @inline(__always) func apply(_ x: Float) -> Float { min(max(x, low), high) }

    /// Compare-and-blend, not `SIMD.clamped`: the standard library's pointwiseMin/Max are not
    /// inlined into our AVX code and branch per lane, which made the conv epilogue slower than the
    /// multiply on real activations.
    @inline(__always) func apply(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let low = SIMD8<Float>(repeating: self.low), high = SIMD8<Float>(repeating: self.high)
        let raised = x.replacing(with: low, where: x .< low)
        return raised.replacing(with: high, where: raised .> high)
    }
}

/// Unaligned SIMD loads and stores of floats.
@inline(__always) func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}
