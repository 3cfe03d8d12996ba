import CKernels

/// `.int8` im2col with the patches gathered as bytes: the C kernel `handmesh_s8_conv_rows`
/// (Sources/CKernels/QuantizedPatches.c says how and why) quantizes the input rows a block of output
/// pixels reads once, then gathers their patches from those bytes. Taken by int8 convolutions over
/// few input channels (the landmark network's RGB stem: 331 µs before), where gathering and
/// quantizing each patch in floats cost more than multiplying it.
extension Convolution {
    /// The kernel's view of this convolution's geometry, without pointers.
    private var patchGeometry: handmesh_s8_conv {
        handmesh_s8_conv(
            input: nil, output: nil, packed: nil, scale: nil, sum: nil, bias: nil,
            batch: batch, height: height, width: width, inChannels: inChannels,
            outHeight: outHeight, outWidth: outWidth, outChannels: outChannels,
            kernelHeight: kernelHeight, kernelWidth: kernelWidth, strideHeight: strideHeight, strideWidth: strideWidth,
            padTop: padTop, padLeft: padLeft, low: clamp.low, high: clamp.high)
    }

    /// The geometry with this run's tensors and weights; the pointers are the context's.
    private func quantizedPatches(_ context: ExecutionContext) -> handmesh_s8_conv {
        let padded = PackedGEMM.panels(outChannels) * PackedGEMM.panelWidth
        let b = context.weights + bias
        var conv = patchGeometry
        conv.input = UnsafePointer(context.arena + input)
        conv.output = context.arena + output
        conv.packed = context.bytes + weights
        conv.scale = b
        conv.sum = b + padded
        conv.bias = b + 2 * padded
        return conv
    }

    /// Floats of scratch one worker needs.
    var quantizedPatchesScratch: Int {
        var geometry = patchGeometry
        return (handmesh_s8_conv_scratch_bytes(&geometry) + 3) / 4
    }

    /// Runs of whole output rows, as many as the direct kernel's (`directPartsPerThread`), so each
    /// quantizes few input rows twice.
    func runQuantizedPatches(_ context: ExecutionContext, range: UnsafePointer<Float>) {
        let outputRows = batch * outHeight
        let job = QuantizedPatchesSplit(conv: quantizedPatches(context), range: range, scratch: context.scratch,
                                        scratchPerWorker: context.scratchPerWorker, outputRows: outputRows,
                                        parts: min(outputRows, Self.directPartsPerThread * context.threads))
        context.parallel(job.parts, job) { job, part, worker in
            let split = job.assumingMemoryBound(to: QuantizedPatchesSplit.self).pointee
            let width = split.conv.outWidth
            withUnsafePointer(to: split.conv) { conv in
                handmesh_s8_conv_rows(conv, part * split.outputRows / split.parts * width,
                                      (part + 1) * split.outputRows / split.parts * width, split.range,
                                      UnsafeMutableRawPointer(split.scratch + worker * split.scratchPerWorker))
            }
        }
    }
}

/// One run's values for the workers (`ExecutionContext.parallel`).
private struct QuantizedPatchesSplit {
    let conv: handmesh_s8_conv
    let range: UnsafePointer<Float>
    let scratch: UnsafeMutablePointer<Float>
    let scratchPerWorker: Int
    let outputRows: Int, parts: Int
}
