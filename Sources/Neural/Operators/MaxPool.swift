/// MAX_POOL_2D over NHWC; taps outside the input are left out, as TFLite does for SAME padding.
/// Eight channels at a time.
struct MaxPool {
    var input: Int
    var output: Int
    var batch: Int
    var height: Int
    var width: Int
    var channels: Int
    var outHeight: Int
    var outWidth: Int
    var filterHeight: Int
    var filterWidth: Int
    var strideHeight: Int
    var strideWidth: Int
    var padTop: Int
    var padLeft: Int
    var clamp: Clamp

    func run(_ context: ExecutionContext) {
        let x = UnsafePointer(context.arena + input), y = context.arena + output
        context.parallel(batch * outHeight, Rows(op: self, x: x, y: y)) { job, row, _ in
            job.assumingMemoryBound(to: Rows.self).pointee.run(row)
        }
    }

    /// One run's values for the workers (`ExecutionContext.parallel`).
    private struct Rows {
        let op: MaxPool
        let x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>

        func run(_ row: Int) { op.outputRow(row, x, y) }
    }

    private func outputRow(_ row: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        let c = channels
        let image = row / outHeight, oy = row % outHeight
        let iy0 = oy * strideHeight - padTop
        let ky0 = max(0, -iy0), ky1 = max(ky0, min(filterHeight, height - iy0))
        for ox in 0..<outWidth {
            let ix0 = ox * strideWidth - padLeft
            let kx0 = max(0, -ix0), kx1 = max(kx0, min(filterWidth, width - ix0))
            let out = y + (row * outWidth + ox) * c
            var ch = 0
            while ch + 8 <= c {
                var best = SIMD8<Float>(repeating: -.infinity)
                for ky in ky0..<ky1 {
                    for kx in kx0..<kx1 {
                        let v = load8(x + ((image * height + iy0 + ky) * width + ix0 + kx) * c + ch)
                        best = best.replacing(with: v, where: v .> best)
                    }
                }
                store8(clamp.apply(best), out + ch)
                ch += 8
            }
            while ch < c {
                var best = -Float.infinity
                for ky in ky0..<ky1 {
                    for kx in kx0..<kx1 {
                        best = max(best, x[((image * height + iy0 + ky) * width + ix0 + kx) * c + ch])
                    }
                }
                out[ch] = clamp.apply(best)
                ch += 1
            }
        }
    }
}
