import COpenBLAS

/// FULLY_CONNECTED: y[M, N] = x[M, K] · weightsᵀ + bias, weights stored [N, K] as TFLite keeps them.
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
        let w = context.weights + weights
        if rows == 1 {
            cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(units), Int32(depth), 1, w, Int32(depth), x, 1, 0, y, 1)
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows), Int32(units), Int32(depth),
                        1, x, Int32(depth), w, Int32(depth), 0, y, Int32(units))
        }
        addBiasAndClamp(y, bias: context.weights + bias, clamp: clamp, rows: 0..<rows, columns: 0..<units, stride: units)
    }
}
