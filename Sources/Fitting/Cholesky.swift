/// In-place dense Cholesky factorization and solve for the small systems of one LM step
/// (n <= ~70): written out because a LAPACK call's overhead and workspace queries would cost
/// more than the arithmetic at this size.
public enum Cholesky {
    /// Factors the symmetric positive definite `a` (n x n, row-major) into its lower triangle L,
    /// a = L L^T. Returns false when a pivot is not positive (the caller raises the damping).
    @inline(__always)
    public static func factor(_ a: UnsafeMutablePointer<Double>, n: Int) -> Bool {
        for j in 0..<n {
            let rowJ = a + j * n
            let d = rowJ[j] - dot(rowJ, rowJ, count: j)
            if !(d > 0) { return false }
            let ljj = d.squareRoot()
            rowJ[j] = ljj
            let inv = 1 / ljj
            var i = j + 1
            while i < n {
                let rowI = a + i * n
                rowI[j] = (rowI[j] - dot(rowI, rowJ, count: j)) * inv
                i += 1
            }
        }
        return true
    }

    /// Solves L L^T x = b in place in `b`, with L from `factor`.
    @inline(__always)
    public static func solve(_ l: UnsafePointer<Double>, n: Int, _ b: UnsafeMutablePointer<Double>) {
        for i in 0..<n {
            let row = l + i * n
            b[i] = (b[i] - dot(row, b, count: i)) / row[i]
        }
        var i = n - 1
        while i >= 0 {
            var s = b[i]
            var k = i + 1
            while k < n { s -= l[k * n + i] * b[k]; k += 1 }
            b[i] = s / l[i * n + i]
            i -= 1
        }
    }

    /// The dot product of two contiguous runs. The compiler does not reorder a floating-point sum,
    /// so the eight lanes are spelled out: the factorization is almost all dot products.
    @inline(__always)
    static func dot(_ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>, count: Int) -> Double {
        var acc = SIMD8<Double>.zero
        var k = 0
        let rawX = UnsafeRawPointer(x), rawY = UnsafeRawPointer(y)
        while k + 8 <= count {
            acc += rawX.loadUnaligned(fromByteOffset: k * 8, as: SIMD8<Double>.self)
                * rawY.loadUnaligned(fromByteOffset: k * 8, as: SIMD8<Double>.self)
            k += 8
        }
        var s = acc.sum()
        while k < count { s += x[k] * y[k]; k += 1 }
        return s
    }
}
