/// FULLY_CONNECTED: y[M, N] = x[M, K] · weightsᵀ + bias, weights stored [N, K] as TFLite keeps them.
///
/// Dot products in SIMD8 with four accumulators. These layers are tiny (the landmark heads are
/// 1152 → 1 and 1152 → 63), far below where a BLAS call or threads pay off.
struct FullyConnected {
    var input: Int
    var output: Int
    var weights: Int
    var bias: Int
    var rows: Int
    var depth: Int
    var units: Int
    var clamp: Clamp

    func run(_ context: ExecutionContext) {
        let x = context.arena + input, y = context.arena + output
        let w = context.weights + weights, b = context.weights + bias
        let k = depth
        for r in 0..<rows {
            let xr = x + r * k
            for n in 0..<units {
                let wn = w + n * k
                var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
                var i = 0
                while i + 32 <= k {
                    a0 = a0.addingProduct(load8(xr + i), load8(wn + i))
                    a1 = a1.addingProduct(load8(xr + i + 8), load8(wn + i + 8))
                    a2 = a2.addingProduct(load8(xr + i + 16), load8(wn + i + 16))
                    a3 = a3.addingProduct(load8(xr + i + 24), load8(wn + i + 24))
                    i += 32
                }
                while i + 8 <= k {
                    a0 = a0.addingProduct(load8(xr + i), load8(wn + i))
                    i += 8
                }
                var sum = ((a0 + a1) + (a2 + a3)).sum()
                while i < k {
                    sum += xr[i] * wn[i]
                    i += 1
                }
                y[r * units + n] = clamp.apply(sum + b[n])
            }
        }
    }
}
