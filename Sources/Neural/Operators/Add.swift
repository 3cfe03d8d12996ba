/// ADD of two tensors of the same shape, with the fused activation, split over the threads for
/// large tensors (the palm network's 30 ADDs were 6% of it, on one thread while the other waited).
struct Add {
    var first: Int
    var second: Int
    var output: Int
    var count: Int
    var clamp: Clamp

    func run(_ context: ExecutionContext) {
        let job = Parts(op: self, a: UnsafePointer(context.arena + first), b: UnsafePointer(context.arena + second),
                        y: context.arena + output, parts: context.elementwiseParts(count))
        context.parallel(job.parts, job) { job, part, _ in
            let j = job.assumingMemoryBound(to: Parts.self).pointee
            j.op.add(j.a, j.b, j.y, partRange(part, of: j.parts, count: j.op.count, unit: 8))
        }
    }

    /// One run's values for the workers (`ExecutionContext.parallel`).
    private struct Parts {
        let op: Add
        let a: UnsafePointer<Float>, b: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>
        let parts: Int
    }

    private func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            store8(clamp.apply(load8(a + i) + load8(b + i)), y + i)
            i += 8
        }
        while i < range.upperBound {
            y[i] = clamp.apply(a[i] + b[i])
            i += 1
        }
    }
}
