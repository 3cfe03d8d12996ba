import CKernels
import COpenBLAS

/// CONV_2D over NHWC as one matrix product: out[M = N·OH·OW, Cout] = patches[M, K] · Wᵀ + bias,
/// K = KH·KW·Cin, with the fused activation applied on the way out.
///
/// A 1x1 stride-1 convolution multiplies the input itself: NHWC is already [M, Cin] row-major, so
/// there is no im2col. Other kernels gather the patches of one block of output rows into the
/// worker's scratch first (im2col), then multiply that block. The product runs on `PackedGEMM`
/// (weights packed at load, bias and clamp folded into the tile store), on OpenBLAS sgemm with
/// TFLite's filter as it is followed by a bias-and-clamp pass over the block while it is in cache,
/// or on the int8 VNNI GEMM (`Precision.int8`), which quantizes the rows of A it multiplies into the
/// worker's scratch, on one u8 grid for the whole input tensor.
///
/// A convolution over few input channels (the first layer, on RGB) skips the matrix product: the
/// `.direct` backend (DirectConvolution.swift) reads its taps from the input in place, in the order
/// `.packed` sums them, so it gives the same bits. At `.int8` such a convolution gathers its patches
/// as bytes from the input quantized once (`gathersQuantized`, QuantizedPatches.swift), which gives
/// the bits of gathering floats and quantizing each patch.
struct Convolution {
    enum Backend { case packed, openBLAS, int8, direct }

    var input: Int
    var output: Int
    /// Packed panels (`.packed`), TFLite's [Cout, K] filter (`.openBLAS`) or a row of channels per tap
    /// (`.direct`, layout in CKernels.h), in the weight pool; s8 panels in the byte pool (`.int8`).
    var weights: Int
    /// Cout values (padded to whole panels for `.packed`, to whole vectors for `.direct`). For `.int8`,
    /// three runs of whole panels: the filter's per-channel scale, the sums of its quantized rows, the bias.
    var bias: Int
    var backend: Backend
    var batch: Int
    var height: Int
    var width: Int
    var inChannels: Int
    var outHeight: Int
    var outWidth: Int
    var outChannels: Int
    var kernelHeight: Int
    var kernelWidth: Int
    var strideHeight: Int
    var strideWidth: Int
    var padTop: Int
    var padLeft: Int
    var clamp: Clamp
    /// `.int8` im2col only: patches gathered as bytes from the quantized input (`handmesh_s8_conv_rows`).
    var gathersQuantized = false

    /// Parts of a 1x1 convolution per thread when split by rows, and when split by output channels.
    static let partsPerThread = 8
    static let channelPartsPerThread = 2

    var isPointwise: Bool { kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1 && padTop == 0 && padLeft == 0 }
    var depth: Int { kernelHeight * kernelWidth * inChannels }
    var rows: Int { batch * outHeight * outWidth }
    /// Output rows per im2col block: a multiple of the GEMM tile, at most 252, fewer for deep patches,
    /// so a block of patches stays in L2 (and a corrupted model cannot ask for a huge scratch).
    var rowsPerBlock: Int { max(PackedGEMM.tileRows, min(252, (1 << 18) / max(depth, 1)) / PackedGEMM.tileRows * PackedGEMM.tileRows) }
    /// Floats of scratch one worker needs: its block of patches, then (for `.int8`) its block of
    /// quantized rows.
    var scratchPerWorker: Int {
        if gathersQuantized { return quantizedPatchesScratch }
        return backend == .direct || isPointwise ? quantizedScratch : rowsPerBlock * depth + quantizedScratch
    }
    private var quantizedScratch: Int { backend == .int8 ? (handmesh_s8_scratch_bytes(depth) + 3) / 4 : 0 }
    /// Columns of the product in the unit `multiply` splits: panels of 16 for `.packed` and `.int8`
    /// (both 16 wide), channels for `.openBLAS`.
    private var columnCount: Int { backend == .openBLAS ? outChannels : PackedGEMM.panels(outChannels) }

    func run(_ context: ExecutionContext) {
        if backend == .direct {
            runDirect(context)
        } else if backend == .int8 {
            // One u8 grid for the whole input: its range first (a pass over it, order-free, so every
            // thread count gives the same bits), then each worker quantizes its rows on that grid.
            // Patches hold input values and padding zeros, and the range always holds 0.
            // Not a grid per row: two reductions a row made the K = 16–24 layers slower than fp32,
            // for 0.08 px less landmark error against MediaPipe (0.40 against 0.48 px on the clip).
            var range: (Float, Float) = (0, 0)
            withUnsafeMutablePointer(to: &range) { bounds in
                bounds.withMemoryRebound(to: Float.self, capacity: 2) { bounds in
                    handmesh_s8_range(context.arena + input, batch * height * width * inChannels, bounds)
                    if gathersQuantized {
                        runQuantizedPatches(context, range: UnsafePointer(bounds))
                    } else {
                        run(context, range: UnsafePointer(bounds))
                    }
                }
            }
        } else {
            run(context, range: nil)
        }
    }

    private func run(_ context: ExecutionContext, range: UnsafePointer<Float>?) {
        let m = rows, panels = columnCount
        var job = Split(op: self, context: context, x: UnsafePointer(context.arena + input), y: context.arena + output,
                        range: range, parts: 0, byRows: false)
        if isPointwise {
            // Split the rows when there are plenty, else the output channels. More parts than
            // threads, so a thread that has its core takes over the parts of one that has not
            // (`WorkerPool`); a part of channels quantizes all of A again (int8), so fewer of those.
            job.byRows = m >= 48 * context.threads || panels < context.threads
            job.parts = job.byRows ? min(Self.partsPerThread * context.threads, (m + 5) / 6)
                                   : min(Self.channelPartsPerThread * context.threads, panels)
            context.parallel(job.parts, job) { job, part, worker in
                job.assumingMemoryBound(to: Split.self).pointee.pointwise(part, worker: worker)
            }
        } else {
            context.parallel((m + rowsPerBlock - 1) / rowsPerBlock, job) { job, task, worker in
                job.assumingMemoryBound(to: Split.self).pointee.patches(task, worker: worker)
            }
        }
    }

    /// One run's values for the workers (`ExecutionContext.parallel`).
    private struct Split {
        let op: Convolution
        let context: ExecutionContext
        let x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, range: UnsafePointer<Float>?
        /// 1x1 only: how many parts, and whether they are runs of rows (multiples of the kernel's 6)
        /// or of output panels.
        var parts: Int, byRows: Bool

        func pointwise(_ part: Int, worker: Int) {
            let scratch = UnsafeMutableRawPointer(context.scratch + worker * context.scratchPerWorker)
            let m = op.rows, k = op.depth, panels = op.columnCount
            if byRows {
                let r0 = part * m / parts / 6 * 6, r1 = part == parts - 1 ? m : (part + 1) * m / parts / 6 * 6
                op.multiply(x, lda: k, rows: r0..<r1, columns: 0..<panels, y, context, range, scratch)
            } else {
                op.multiply(x, lda: k, rows: 0..<m, columns: part * panels / parts..<(part + 1) * panels / parts, y, context, range, scratch)
            }
        }

        /// im2col: gathers a block of rows' patches into the worker's scratch and multiplies them.
        func patches(_ task: Int, worker: Int) {
            let k = op.depth, block = op.rowsPerBlock
            let r0 = task * block, r1 = min(r0 + block, op.rows)
            let patches = context.scratch + worker * context.scratchPerWorker
            op.gather(x, into: patches, rows: r0..<r1)
            op.multiply(UnsafePointer(patches), lda: k, rows: 0..<(r1 - r0), columns: 0..<op.columnCount, y + r0 * op.outChannels,
                        context, range, UnsafeMutableRawPointer(patches + block * k))
        }
    }

    /// y[rows, columns] for rows of `a`; `columns` counts panels for `.packed` and `.int8`, channels
    /// for `.openBLAS`. `range` (A's [min, max]) and `scratch` (the worker's, past any patches) are
    /// for `.int8` only.
    @inline(__always)
    private func multiply(_ a: UnsafePointer<Float>, lda: Int, rows: Range<Int>, columns: Range<Int>,
                          _ y: UnsafeMutablePointer<Float>, _ context: ExecutionContext,
                          _ range: UnsafePointer<Float>?, _ scratch: UnsafeMutableRawPointer) {
        let n = outChannels, k = depth
        let w = context.weights + weights, b = context.weights + bias
        guard !rows.isEmpty, !columns.isEmpty else { return }
        switch backend {
        case .packed:
            PackedGEMM.multiply(a: a, lda: lda, rows: rows, k: k, packed: w, bias: b, panels: columns, n: n,
                                c: y, ldc: n, clamp: clamp)
        case .int8:
            let padded = PackedGEMM.panels(n) * PackedGEMM.panelWidth
            handmesh_s8_gemm(a, lda, rows.lowerBound, rows.upperBound, k, context.bytes + weights, b, b + padded, b + 2 * padded,
                             columns.lowerBound, columns.upperBound, n, y, n, clamp.low, clamp.high, range, scratch)
        case .openBLAS:
            let c0 = columns.lowerBound
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rows.count), Int32(columns.count), Int32(k),
                        1, a + rows.lowerBound * lda, Int32(lda), w + c0 * k, Int32(k), 0,
                        y + rows.lowerBound * n + c0, Int32(n))
            addBiasAndClamp(y, bias: b, clamp: clamp, rows: rows, columns: columns, stride: n)
        case .direct:
            preconditionFailure("a direct convolution has no matrix product")
        }
    }

    /// im2col for output rows `rows`: each row gets its KH·KW·Cin patch, zeros where it overhangs.
    /// In NHWC the KW·Cin values of one kernel row are contiguous, so a patch whose columns are all
    /// inside the input is KH short copies; only border pixels go tap by tap.
    private func gather(_ x: UnsafePointer<Float>, into patches: UnsafeMutablePointer<Float>, rows: Range<Int>) {
        let span = kernelWidth * inChannels
        var p = patches
        var image = rows.lowerBound / (outHeight * outWidth)
        var oy = (rows.lowerBound / outWidth) % outHeight
        var ox = rows.lowerBound % outWidth
        for _ in rows {
            let iy0 = oy * strideHeight - padTop, ix0 = ox * strideWidth - padLeft
            let plane = x + image * height * width * inChannels
            if ix0 >= 0 && ix0 + kernelWidth <= width {
                for ky in 0..<kernelHeight {
                    let iy = iy0 + ky
                    if iy < 0 || iy >= height {
                        for j in 0..<span { p[j] = 0 }
                    } else {
                        // A plain loop: 9 or 15 floats here, too few for a memcpy call.
                        let source = plane + (iy &* width &+ ix0) &* inChannels
                        for j in 0..<span { p[j] = source[j] }
                    }
                    p += span
                }
            } else {
                for ky in 0..<kernelHeight {
                    let iy = iy0 + ky
                    for kx in 0..<kernelWidth {
                        let ix = ix0 + kx
                        if iy < 0 || iy >= height || ix < 0 || ix >= width {
                            for c in 0..<inChannels { p[c] = 0 }
                        } else {
                            let source = plane + (iy &* width &+ ix) &* inChannels
                            for c in 0..<inChannels { p[c] = source[c] }
                        }
                        p += inChannels
                    }
                }
            }
            ox += 1
            if ox == outWidth {
                ox = 0
                oy += 1
                if oy == outHeight { oy = 0; image += 1 }
            }
        }
    }
}

/// y[r, c] = clamp(y[r, c] + bias[c]) over a block of a row-major matrix with row stride `stride`.
@inline(__always)
func addBiasAndClamp(_ y: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, clamp: Clamp,
                     rows: Range<Int>, columns: Range<Int>, stride: Int) {
    for r in rows {
        let row = y + r * stride
        var c = columns.lowerBound
        while c + 8 <= columns.upperBound {
            let v = load8(row + c) + load8(bias + c)
            store8(clamp.apply(v), row + c)
            c += 8
        }
        while c < columns.upperBound {
            row[c] = clamp.apply(row[c] + bias[c])
            c += 1
        }
    }
}
