import CKernels

/// DEPTHWISE_CONV_2D with depth multiplier 1 over NHWC, run by the C kernel `handmesh_depthwise_rows`
/// (Sources/CKernels/DepthwiseConvolution.c says how and why): strips of neighbouring output pixels
/// that load each input column once for all the accumulators it feeds, borders included, with a
/// per-pixel path for kernel sizes, strides and channel counts the strips do not cover. Every output
/// is the bias, then one fused multiply-add per tap inside the input in row-major tap order, then the
/// clamp, so the result does not depend on the path or on how rows are split over threads.
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
        // Built on the stack for this run only: the pointers are the context's, which owns them.
        let job = handmesh_depthwise(
            input: UnsafePointer(context.arena + input), output: context.arena + output,
            weights: context.weights + weights, bias: context.weights + bias,
            batch: batch, height: height, width: width, channels: channels, outHeight: outHeight, outWidth: outWidth,
            kernelHeight: kernelHeight, kernelWidth: kernelWidth, strideHeight: strideHeight, strideWidth: strideWidth,
            padTop: padTop, padLeft: padLeft, low: clamp.low, high: clamp.high)
        context.parallel(batch * outHeight, job) { job, row, _ in
            handmesh_depthwise_rows(job.assumingMemoryBound(to: handmesh_depthwise.self), row, row + 1)
        }
    }
}
