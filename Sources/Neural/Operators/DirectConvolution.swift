import CKernels

/// The `.direct` backend of `Convolution`: CONV_2D over few input channels, run by the C kernel
/// `handmesh_direct_conv_rows` (Sources/CKernels/DirectConvolution.c says how and why) with no
/// im2col and no scratch. It sums each output in `PackedGEMM`'s order over an im2col row (the bias,
/// then one fused multiply-add per tap, padding taps with +0, then the clamp), so at float32 the
/// outputs are the bits `.packed` gave.
///
/// `.int8` keeps the int8 GEMM (with byte patches, QuantizedPatches.swift: 192 µs for the landmark
/// stem), though the stem runs direct in 175 µs and its landmarks come closer to LiteRT's: the int8
/// network then tracks the stereo clip as the fp32 one does, live jitter on view 1 1.78 mm against
/// 1.69, over SteadyTrackTests' 1.7 mm goal.
extension Convolution {
    /// Input channels up to which a convolution runs direct: RGB stems (3). With more, gathering a
    /// patch costs little next to multiplying it, which the GEMM's 6x16 tile does with fewer loads an FMA.
    static let mostDirectInChannels = 4
    /// Runs of output rows per thread: more than threads, so a thread that has its core takes over
    /// the parts of one that has not (`WorkerPool`); 16 at two threads is 7 rows of 112 each.
    static let directPartsPerThread = 8

    /// TFLite's [Cout, K] filter as the kernel reads it: for each tap k, its Cout weights, zeros to a
    /// whole vector.
    static func packDirect(_ filter: [Float], n: Int, k: Int) -> [Float] {
        let width = handmesh_direct_conv_channels(n)
        var packed = [Float](repeating: 0, count: k * width)
        for column in 0..<n {
            for depth in 0..<k { packed[depth * width + column] = filter[column * k + depth] }
        }
        return packed
    }

    /// The bias, zero-padded to whole vectors.
    static func padDirectBias(_ bias: [Float], n: Int) -> [Float] {
        bias + [Float](repeating: 0, count: handmesh_direct_conv_channels(n) - n)
    }

    func runDirect(_ context: ExecutionContext) {
        // Built on the stack for this run only: the pointers are the context's, which owns them.
        let rows = batch * outHeight
        let job = DirectSplit(
            conv: handmesh_direct_conv(
                input: UnsafePointer(context.arena + input), output: context.arena + output,
                weights: context.weights + weights, bias: context.weights + bias,
                batch: batch, height: height, width: width, inChannels: inChannels,
                outHeight: outHeight, outWidth: outWidth, outChannels: outChannels,
                kernelHeight: kernelHeight, kernelWidth: kernelWidth, strideHeight: strideHeight, strideWidth: strideWidth,
                padTop: padTop, padLeft: padLeft, low: clamp.low, high: clamp.high),
            rows: rows, parts: min(rows, Self.directPartsPerThread * context.threads))
        context.parallel(job.parts, job) { job, part, _ in
            let split = job.assumingMemoryBound(to: DirectSplit.self).pointee
            withUnsafePointer(to: split.conv) { conv in
                handmesh_direct_conv_rows(conv, part * split.rows / split.parts, (part + 1) * split.rows / split.parts)
            }
        }
    }
}

/// One direct run's values for the workers (`ExecutionContext.parallel`).
private struct DirectSplit {
    let conv: handmesh_direct_conv
    let rows: Int, parts: Int
}
