/// In-place dense Cholesky factorization and solve for the small systems of one LM step
/// (n <= ~70): written out because a LAPACK call's overhead and workspace queries would cost
/// more than the arithmetic at this size.
public enum Cholesky {
    /// Factors the symmetric positive definite `a` (n x n, row-major) into its lower triangle L,
    /// a = L L^T. Returns false when a pivot is not positive (the caller raises the damping).
    @inline(__always)
    public static func factor(_ a: UnsafeMutablePointer<Double>, n: Int) -> Bool {
        for j in 0..<n {
            var d = a[j * n + j]
            let rowJ = a + j * n
            for k in 0..<j { d -= rowJ[k] * rowJ[k] }
            if !(d > 0) { return false }
            let ljj = d.squareRoot()
            rowJ[j] = ljj
            let inv = 1 / ljj
            var i = j + 1
            while i < n {
                let rowI = a + i * n
                var s = rowI[j]
                for k in 0..<j { s -= rowI[k] * rowJ[k] }
                rowI[j] = s * inv
                i += 1
            }
        }
        return true
    }

    /// Solves L L^T x = b in place in `b`, with L from `factor`.
    @inline(__always)
    public static func solve(_ l: UnsafePointer<Double>, n: Int, _ b: UnsafeMutablePointer<Double>) {
        for i in 0..<n {
            var s = b[i]
            let row = l + i * n
            for k in 0..<i { s -= row[k] * b[k] }
            b[i] = s / row[i]
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
}
