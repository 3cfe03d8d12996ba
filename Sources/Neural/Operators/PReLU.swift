/// PRELU with one alpha per channel (the innermost dimension): x if x ≥ 0, else alpha·x. Split over
/// the threads by pixels for large tensors, as ADD is.
struct PReLU {
    var input: Int
    var output: Int
    var alpha: Int
    var count: Int
    var channels: Int

    func run(_ context: ExecutionContext) {
        let job = Parts(op: self, x: UnsafePointer(context.arena + input), y: context.arena + output,
                        alpha: context.weights + alpha, parts: context.elementwiseParts(count))
        context.parallel(job.parts, job) { job, part, _ in
            let j = job.assumingMemoryBound(to: Parts.self).pointee
            j.op.apply(j.x, j.y, j.alpha, partRange(part, of: j.parts, count: j.op.count, unit: max(j.op.channels, 1)))
        }
    }

    /// One run's values for the workers (`ExecutionContext.parallel`).
    private struct Parts {
        let op: PReLU
        let x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, alpha: UnsafePointer<Float>
        let parts: Int
    }

    /// Pixels `range` covers (a range of whole pixels).
    private func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ alpha: UnsafePointer<Float>,
                       _ range: Range<Int>) {
        let zero = SIMD8<Float>(repeating: 0)
        var base = range.lowerBound
        while base < range.upperBound {
            var c = 0
            while c + 8 <= channels {
                let v = load8(x + base + c)
                store8(v.replacing(with: v * load8(alpha + c), where: v .< zero), y + base + c)
                c += 8
            }
            while c < channels {
                let v = x[base + c]
                y[base + c] = v < 0 ? v * alpha[c] : v
                c += 1
            }
            base += channels
        }
    }
}
