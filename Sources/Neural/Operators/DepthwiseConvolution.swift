/// DEPTHWISE_CONV_2D with depth multiplier 1 over NHWC, eight channels at a time in SIMD8.
///
/// Away from the borders (most of each row), four neighbouring output pixels are computed together
/// for one block of eight channels: four independent accumulators keep the FMA units busy instead of
/// waiting on one dependency chain, and each weight vector loaded serves four pixels. The 3x3 and
/// 5x5 kernels get their own copies of that loop, with the kernel width a constant so the taps
/// unroll; any stride works. Border pixels sum only the taps that land inside the input, so padding
/// costs nothing and no bounds test runs inside a tap loop.
struct DepthwiseConvolution {
    var input: Int
    var output: Int
    var weights: Int
    var bias: Int
    var batch: Int
    var height: Int
    var width: Int
    var channels: Int
    var outHeight: Int
    var outWidth: Int
    var kernelHeight: Int
    var kernelWidth: Int
    var strideHeight: Int
    var strideWidth: Int
    var padTop: Int
    var padLeft: Int
    var clamp: Clamp

    func run(_ context: ExecutionContext) {
        let x = UnsafePointer(context.arena + input)
        let y = context.arena + output
        let w = context.weights + weights
        let b = context.weights + bias
        context.parallel(batch * outHeight, Rows(op: self, x: x, y: y, w: w, b: b)) { job, row, _ in
            job.assumingMemoryBound(to: Rows.self).pointee.run(row)
        }
    }

    /// One run's values for the workers (`ExecutionContext.parallel`).
    private struct Rows {
        let op: DepthwiseConvolution
        let x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, w: UnsafePointer<Float>, b: UnsafePointer<Float>

        func run(_ row: Int) {
            switch op.kernelWidth {
            case 3: op.outputRow(row, x, y, w, b, Width3.self)
            case 5: op.outputRow(row, x, y, w, b, Width5.self)
            default: op.outputRow(row, x, y, w, b, AnyWidth.self)
            }
        }
    }

    /// Output columns whose taps all land inside the input: [first, end).
    private var interior: (first: Int, end: Int) {
        let first = (padLeft + strideWidth - 1) / strideWidth
        let end = width - kernelWidth + padLeft >= 0 ? (width - kernelWidth + padLeft) / strideWidth + 1 : 0
        let clampedFirst = min(first, outWidth)
        return (clampedFirst, max(clampedFirst, min(end, outWidth)))
    }

    @inline(__always)
    private func outputRow<K: KernelWidth>(_ row: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                           _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _: K.Type) {
        let c = channels
        let image = row / outHeight, oy = row % outHeight
        let iy0 = oy * strideHeight - padTop
        let ky0 = max(0, -iy0), ky1 = max(ky0, min(kernelHeight, height - iy0))
        let plane = x + image * height * width * c
        let out = y + row * outWidth * c
        let (first, end) = kernelWidth == K.width ? interior : (outWidth, outWidth)
        for ox in 0..<first { borderPixel(ox, plane, iy0, ky0, ky1, w, b, out + ox * c) }
        var ox = first
        if c % 8 == 0 && strideWidth == 1 {
            while ox + 4 <= end {
                fourPixelsStride1(ox, plane, iy0, ky0, ky1, w, b, out + ox * c, K.self)
                ox += 4
            }
        } else if c % 8 == 0 {
            while ox + 4 <= end {
                fourPixels(ox, plane, iy0, ky0, ky1, w, b, out + ox * c, K.self)
                ox += 4
            }
        }
        while ox < outWidth {
            borderPixel(ox, plane, iy0, ky0, ky1, w, b, out + ox * c)
            ox += 1
        }
    }

    /// Four interior pixels, all channels, eight at a time.
    @inline(__always)
    private func fourPixels<K: KernelWidth>(_ ox: Int, _ plane: UnsafePointer<Float>, _ iy0: Int, _ ky0: Int, _ ky1: Int,
                                            _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                            _ out: UnsafeMutablePointer<Float>, _: K.Type) {
        let c = channels, step = strideWidth * c
        let ix0 = ox * strideWidth - padLeft
        var ch = 0
        while ch < c {
            var acc0 = load8(b + ch)
            var acc1 = acc0, acc2 = acc0, acc3 = acc0
            for ky in ky0..<ky1 {
                let xrow = plane + ((iy0 + ky) * width + ix0) * c + ch
                let wrow = w + ky * K.width * c + ch
                for kx in 0..<K.width {
                    let weight = load8(wrow + kx &* c)
                    let p = xrow + kx &* c
                    acc0 = acc0.addingProduct(load8(p), weight)
                    acc1 = acc1.addingProduct(load8(p + step), weight)
                    acc2 = acc2.addingProduct(load8(p + 2 &* step), weight)
                    acc3 = acc3.addingProduct(load8(p + 3 &* step), weight)
                }
            }
            store8(clamp.apply(acc0), out + ch)
            store8(clamp.apply(acc1), out + c + ch)
            store8(clamp.apply(acc2), out + 2 * c + ch)
            store8(clamp.apply(acc3), out + 3 * c + ch)
            ch += 8
        }
    }

    /// Four interior pixels at stride 1: neighbouring pixels share input columns, and writing the
    /// addresses as (pixel + tap) lets the compiler load each column once per kernel row
    /// (K + 3 loads instead of 4K).
    @inline(__always)
    private func fourPixelsStride1<K: KernelWidth>(_ ox: Int, _ plane: UnsafePointer<Float>, _ iy0: Int, _ ky0: Int, _ ky1: Int,
                                                   _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                                   _ out: UnsafeMutablePointer<Float>, _: K.Type) {
        let c = channels
        let ix0 = ox - padLeft
        var ch = 0
        // Sixteen channels at a time where they divide: eight accumulators, and each input row's
        // address work shared by twice the FMAs.
        while ch + 16 <= c {
            var acc0 = load8(b + ch), hi0 = load8(b + ch + 8)
            var acc1 = acc0, acc2 = acc0, acc3 = acc0, hi1 = hi0, hi2 = hi0, hi3 = hi0
            for ky in ky0..<ky1 {
                let p = plane + ((iy0 + ky) * width + ix0) * c + ch
                let wrow = w + ky * K.width * c + ch
                for kx in 0..<K.width {
                    let weight = load8(wrow + kx &* c), weightHi = load8(wrow + kx &* c + 8)
                    acc0 = acc0.addingProduct(load8(p + kx &* c), weight)
                    acc1 = acc1.addingProduct(load8(p + (kx &+ 1) &* c), weight)
                    acc2 = acc2.addingProduct(load8(p + (kx &+ 2) &* c), weight)
                    acc3 = acc3.addingProduct(load8(p + (kx &+ 3) &* c), weight)
                    hi0 = hi0.addingProduct(load8(p + kx &* c + 8), weightHi)
                    hi1 = hi1.addingProduct(load8(p + (kx &+ 1) &* c + 8), weightHi)
                    hi2 = hi2.addingProduct(load8(p + (kx &+ 2) &* c + 8), weightHi)
                    hi3 = hi3.addingProduct(load8(p + (kx &+ 3) &* c + 8), weightHi)
                }
            }
            store8(clamp.apply(acc0), out + ch)
            store8(clamp.apply(acc1), out + c + ch)
            store8(clamp.apply(acc2), out + 2 * c + ch)
            store8(clamp.apply(acc3), out + 3 * c + ch)
            store8(clamp.apply(hi0), out + ch + 8)
            store8(clamp.apply(hi1), out + c + ch + 8)
            store8(clamp.apply(hi2), out + 2 * c + ch + 8)
            store8(clamp.apply(hi3), out + 3 * c + ch + 8)
            ch += 16
        }
        while ch < c {
            var acc0 = load8(b + ch)
            var acc1 = acc0, acc2 = acc0, acc3 = acc0
            for ky in ky0..<ky1 {
                let p = plane + ((iy0 + ky) * width + ix0) * c + ch
                let wrow = w + ky * K.width * c + ch
                // Wrapping arithmetic: the plan bounds every offset, and overflow branches here
                // would stop the compiler from unrolling the taps and sharing the loads.
                for kx in 0..<K.width {
                    let weight = load8(wrow + kx &* c)
                    acc0 = acc0.addingProduct(load8(p + kx &* c), weight)
                    acc1 = acc1.addingProduct(load8(p + (kx &+ 1) &* c), weight)
                    acc2 = acc2.addingProduct(load8(p + (kx &+ 2) &* c), weight)
                    acc3 = acc3.addingProduct(load8(p + (kx &+ 3) &* c), weight)
                }
            }
            store8(clamp.apply(acc0), out + ch)
            store8(clamp.apply(acc1), out + c + ch)
            store8(clamp.apply(acc2), out + 2 * c + ch)
            store8(clamp.apply(acc3), out + 3 * c + ch)
            ch += 8
        }
    }

    /// One pixel with only the taps inside the input.
    private func borderPixel(_ ox: Int, _ plane: UnsafePointer<Float>, _ iy0: Int, _ ky0: Int, _ ky1: Int,
                             _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>) {
        let c = channels, kw = kernelWidth
        let ix0 = ox * strideWidth - padLeft
        let kx0 = max(0, -ix0), kx1 = max(kx0, min(kw, width - ix0))
        var ch = 0
        // Four channel blocks at once: independent accumulators, as in the interior. The 7x7 and
        // 14x14 maps of the landmark networks are mostly border at 5x5.
        while ch + 32 <= c {
            var acc0 = load8(b + ch), acc1 = load8(b + ch + 8), acc2 = load8(b + ch + 16), acc3 = load8(b + ch + 24)
            for ky in ky0..<ky1 {
                let xrow = plane + ((iy0 + ky) * width + ix0) * c + ch
                let wrow = w + ky * kw * c + ch
                for kx in kx0..<kx1 {
                    let p = xrow + kx &* c, q = wrow + kx &* c
                    acc0 = acc0.addingProduct(load8(p), load8(q))
                    acc1 = acc1.addingProduct(load8(p + 8), load8(q + 8))
                    acc2 = acc2.addingProduct(load8(p + 16), load8(q + 16))
                    acc3 = acc3.addingProduct(load8(p + 24), load8(q + 24))
                }
            }
            store8(clamp.apply(acc0), out + ch)
            store8(clamp.apply(acc1), out + ch + 8)
            store8(clamp.apply(acc2), out + ch + 16)
            store8(clamp.apply(acc3), out + ch + 24)
            ch += 32
        }
        while ch + 8 <= c {
            var acc = load8(b + ch)
            for ky in ky0..<ky1 {
                let xrow = plane + ((iy0 + ky) * width + ix0) * c + ch
                let wrow = w + ky * kw * c + ch
                for kx in kx0..<kx1 {
                    acc = acc.addingProduct(load8(xrow + kx * c), load8(wrow + kx * c))
                }
            }
            store8(clamp.apply(acc), out + ch)
            ch += 8
        }
        while ch < c {
            var acc = b[ch]
            for ky in ky0..<ky1 {
                for kx in kx0..<kx1 {
                    acc += plane[((iy0 + ky) * width + ix0 + kx) * c + ch] * w[(ky * kw + kx) * c + ch]
                }
            }
            out[ch] = clamp.apply(acc)
            ch += 1
        }
    }
}

/// Kernel widths as types, so the tap loop of the common sizes is specialised and unrolled.
protocol KernelWidth { static var width: Int { get } }
enum Width3: KernelWidth { static var width: Int { 3 } }
enum Width5: KernelWidth { static var width: Int { 5 } }
/// Any other width: no interior fast path (`width` matches no real kernel).
enum AnyWidth: KernelWidth { static var width: Int { -1 } }
