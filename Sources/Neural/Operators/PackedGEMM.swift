/// A small GEMM for convolutions, with the weights packed once at load and the bias and fused
/// activation applied as each output tile leaves the registers.
///
/// C[m, n] = clamp(Σ_k A[m, k] · W[n, k] + bias[n]). A is the NHWC input itself (or a block of
/// im2col patches), read in place. W is TFLite's [Cout, KH, KW, Cin] filter, packed into panels of
/// 16 output channels: panel p holds, for each k, W[16p ..< 16p + 16, k] (zeros past Cout), so the
/// inner loop reads one contiguous 64-byte line per k. A tile is 6 rows × 16 columns: twelve SIMD8
/// accumulators, which with the two weight vectors and one broadcast fill the sixteen AVX registers
/// (the shape XNNPACK and BLIS use for AVX2 sgemm micro-kernels). OpenBLAS's sgemm packs both
/// operands on every call, which costs more than the multiply when K is 16–40, as in these networks.
enum PackedGEMM {
    static let tileRows = 6
    static let panelWidth = 16

    static func panels(_ n: Int) -> Int { (n + panelWidth - 1) / panelWidth }

    /// Packs `weights` stored [n][k] into panels of 16 columns.
    static func pack(_ weights: [Float], n: Int, k: Int) -> [Float] {
        var packed = [Float](repeating: 0, count: panels(n) * panelWidth * k)
        for column in 0..<n {
            let panel = column / panelWidth, lane = column % panelWidth
            for depth in 0..<k {
                packed[(panel * k + depth) * panelWidth + lane] = weights[column * k + depth]
            }
        }
        return packed
    }

    /// The bias, zero-padded to whole panels.
    static func padBias(_ bias: [Float], n: Int) -> [Float] {
        bias + [Float](repeating: 0, count: panels(n) * panelWidth - n)
    }

    /// Rows of A per cache block: enough that a block of A (at most 96 KiB) is reused across panels.
    @inline(__always)
    static func blockRows(k: Int) -> Int {
        max(tileRows, (24 * 1024 / max(k, 1)) / tileRows * tileRows)
    }

    /// C[rows, panels] for one range of rows and one range of panels.
    static func multiply(a: UnsafePointer<Float>, lda: Int, rows: Range<Int>, k: Int,
                         packed: UnsafePointer<Float>, bias: UnsafePointer<Float>, panels: Range<Int>, n: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int, clamp: Clamp) {
        let block = blockRows(k: k)
        var start = rows.lowerBound
        while start < rows.upperBound {
            let end = min(start + block, rows.upperBound)
            for panel in panels {
                let weights = packed + panel * k * panelWidth
                let columns = min(panelWidth, n - panel * panelWidth)
                var row = start
                while row + tileRows <= end {
                    let a0 = a + row * lda
                    fullTile(a0, a0 + lda, a0 + 2 * lda, a0 + 3 * lda, a0 + 4 * lda, a0 + 5 * lda, k: k, weights: weights,
                             bias: bias + panel * panelWidth, c: c + row * ldc + panel * panelWidth, ldc: ldc,
                             columns: columns, clamp: clamp)
                    row += tileRows
                }
                if row < end {
                    tile(a: a, lda: lda, row: row, rows: end - row, k: k, weights: weights,
                         bias: bias + panel * panelWidth, c: c + row * ldc + panel * panelWidth, ldc: ldc,
                         columns: columns, clamp: clamp)
                }
            }
            start = end
        }
    }

    /// One 6x16 tile, the hot loop: each row of A has its own pointer, so the loop body is two
    /// weight loads, six broadcasts and twelve FMAs. Only the first `rows` rows of C are stored.
    @inline(never)
    static func fullTile(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
                         _ a3: UnsafePointer<Float>, _ a4: UnsafePointer<Float>, _ a5: UnsafePointer<Float>,
                         k: Int, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>,
                         c: UnsafeMutablePointer<Float>, ldc: Int, columns: Int, rows: Int = 6, clamp: Clamp) {
        let bias0 = load8(bias), bias1 = load8(bias + 8)
        var c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1, c20 = bias0, c21 = bias1
        var c30 = bias0, c31 = bias1, c40 = bias0, c41 = bias1, c50 = bias0, c51 = bias1
        var w = weights
        for i in 0..<k {
            let b0 = load8(w), b1 = load8(w + 8)
            w += panelWidth
            var x = SIMD8<Float>(repeating: a0[i])
            c00 = c00.addingProduct(x, b0); c01 = c01.addingProduct(x, b1)
            x = SIMD8<Float>(repeating: a1[i])
            c10 = c10.addingProduct(x, b0); c11 = c11.addingProduct(x, b1)
            x = SIMD8<Float>(repeating: a2[i])
            c20 = c20.addingProduct(x, b0); c21 = c21.addingProduct(x, b1)
            x = SIMD8<Float>(repeating: a3[i])
            c30 = c30.addingProduct(x, b0); c31 = c31.addingProduct(x, b1)
            x = SIMD8<Float>(repeating: a4[i])
            c40 = c40.addingProduct(x, b0); c41 = c41.addingProduct(x, b1)
            x = SIMD8<Float>(repeating: a5[i])
            c50 = c50.addingProduct(x, b0); c51 = c51.addingProduct(x, b1)
        }
        store(clamp.apply(c00), clamp.apply(c01), c, columns)
        if rows > 1 { store(clamp.apply(c10), clamp.apply(c11), c + ldc, columns) }
        if rows > 2 { store(clamp.apply(c20), clamp.apply(c21), c + 2 * ldc, columns) }
        if rows > 3 { store(clamp.apply(c30), clamp.apply(c31), c + 3 * ldc, columns) }
        if rows > 4 { store(clamp.apply(c40), clamp.apply(c41), c + 4 * ldc, columns) }
        if rows > 5 { store(clamp.apply(c50), clamp.apply(c51), c + 5 * ldc, columns) }
    }

    /// One tile with fewer than six rows. Rows past `rows` repeat the last valid row (so loads stay
    /// inside A) and are not stored; columns past `columns` are computed on the zero padding and not stored.
    @inline(__always)
    static func tile(a: UnsafePointer<Float>, lda: Int, row: Int, rows: Int, k: Int, weights: UnsafePointer<Float>,
                     bias: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int, columns: Int, clamp: Clamp) {
        let last = rows - 1
        let a0 = a + row * lda
        fullTile(a0, a0 + min(1, last) * lda, a0 + min(2, last) * lda, a0 + min(3, last) * lda,
                 a0 + min(4, last) * lda, a0 + min(5, last) * lda, k: k, weights: weights, bias: bias,
                 c: c, ldc: ldc, columns: columns, rows: rows, clamp: clamp)
    }

    @inline(__always)
    static func store(_ low: SIMD8<Float>, _ high: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ columns: Int) {
        if columns == panelWidth {
            store8(low, p)
            store8(high, p + 8)
            return
        }
        for j in 0..<min(columns, 8) { p[j] = low[j] }
        if columns > 8 { for j in 8..<columns { p[j] = high[j - 8] } }
    }
}
