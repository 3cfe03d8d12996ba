import CKernels
import XCTest

/// The few-channel convolution kernel (`handmesh_direct_conv_rows`) against a scalar loop in the
/// order `PackedGEMM` sums an im2col row: the bias, one fused multiply-add per tap in ascending
/// k = (ky·KW + kx)·Cin + ci with +0 where the tap overhangs the input, then the clamp. Every path
/// (strips of each width, the pixels at the edges, the masked last vector, kernel rows outside the
/// input) must agree with it bit for bit.
final class DirectConvolutionTests: XCTestCase {
    typealias Random = ModelFuzzTests.Random

    struct Shape: CustomStringConvertible {
        var batch = 1
        var height: Int, width: Int, inChannels: Int, outChannels: Int, kernel: Int, stride: Int
        /// TFLite's SAME padding (as ExecutionPlan.window computes it), else VALID.
        var same = true

        var outHeight: Int { same ? (height + stride - 1) / stride : (height - kernel) / stride + 1 }
        var outWidth: Int { same ? (width + stride - 1) / stride : (width - kernel) / stride + 1 }
        var padTop: Int { same ? max((outHeight - 1) * stride + kernel - height, 0) / 2 : 0 }
        var padLeft: Int { same ? max((outWidth - 1) * stride + kernel - width, 0) / 2 : 0 }
        var depth: Int { kernel * kernel * inChannels }
        var description: String {
            "\(batch)x\(height)x\(width)x\(inChannels) -> \(outChannels) \(kernel)x\(kernel)/\(stride)\(same ? "" : " VALID")"
        }
    }

    /// The stems of the landmark networks (3x3/2 to 24 channels) and the palm networks (5x5/2 to 32).
    func testNetworkStemsMatchTheReference() {
        var random = Random(state: 11)
        check(Shape(height: 224, width: 224, inChannels: 3, outChannels: 24, kernel: 3, stride: 2), &random)
        check(Shape(height: 192, width: 192, inChannels: 3, outChannels: 32, kernel: 5, stride: 2), &random)
    }

    /// Maps of 1 to 9 rows and columns (every width under, at and over a strip), kernels 1, 3 and 5,
    /// strides 1 and 2, 1 to 4 input channels, 1, 7, 8, 24 and 33 output channels (one, two and three
    /// vectors a pass, and a partial last vector), SAME and VALID padding, batches of one and two.
    func testOddShapesMatchTheReference() {
        var random = Random(state: 12)
        for height in 1...9 {
            for width in 1...9 {
                for kernel in [1, 3, 5] {
                    for stride in [1, 2] {
                        // The channel counts and the batch vary with the map rather than all running at each
                        // (20x fewer runs); the loop below pairs every count with every other.
                        let inChannels = 1 + (height + 2 * width + kernel + stride) % 4
                        let outChannels = [1, 7, 8, 24, 33][(3 * height + width + kernel) % 5]
                        let batch = 1 + (height * width + kernel) % 2
                        check(Shape(batch: batch, height: height, width: width, inChannels: inChannels, outChannels: outChannels,
                                    kernel: kernel, stride: stride), &random)
                        if height >= kernel && width >= kernel {
                            check(Shape(height: height, width: width, inChannels: inChannels, outChannels: outChannels,
                                        kernel: kernel, stride: stride, same: false), &random)
                        }
                    }
                }
            }
        }
        // Each channel count with each input channel count and kernel, on wider maps where the strips repeat.
        for inChannels in 1...4 {
            for outChannels in [1, 7, 8, 24, 33] {
                for kernel in [1, 3, 5] {
                    check(Shape(height: 5, width: 23 + inChannels, inChannels: inChannels, outChannels: outChannels,
                                kernel: kernel, stride: 1 + outChannels % 2), &random)
                }
            }
        }
    }

    /// Infinities, NaN and signed zeros in the inputs, weights and biases: a tap over the padding is
    /// still an FMA with +0 (a -0 bias becomes +0, an infinite weight NaN), as in the GEMM's patches.
    func testSpecialValuesMatchTheReference() {
        var random = Random(state: 13)
        let specials: [Float] = [.infinity, -.infinity, .nan, 0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        for shape in [Shape(height: 9, width: 9, inChannels: 3, outChannels: 24, kernel: 3, stride: 2),
                      Shape(height: 8, width: 19, inChannels: 3, outChannels: 32, kernel: 5, stride: 2),
                      Shape(height: 7, width: 7, inChannels: 1, outChannels: 7, kernel: 3, stride: 1)] {
            check(shape, &random, specials: specials)
        }
        // All-zero inputs and -0 biases: the sign of each zero output depends on every FMA, the padding's too.
        let shape = Shape(height: 6, width: 6, inChannels: 3, outChannels: 8, kernel: 3, stride: 1)
        var tensors = Tensors(shape, &random, specials: [])
        tensors.input = tensors.input.map { _ in 0 }
        tensors.bias = tensors.bias.map { _ in -0.0 }
        check(shape, tensors)
    }

    /// Splitting the rows over calls, as the interpreter's threads do, gives the same output.
    func testRowSplitsDoNotChangeTheOutput() {
        var random = Random(state: 14)
        let shape = Shape(batch: 2, height: 15, width: 13, inChannels: 3, outChannels: 24, kernel: 3, stride: 2)
        let tensors = Tensors(shape, &random, specials: [])
        let rows = shape.batch * shape.outHeight
        let whole = tensors.run(shape, low: 0, high: 6, splits: [0, rows])
        XCTAssertEqual(tensors.run(shape, low: 0, high: 6, splits: Array(0...rows)).map(\.bitPattern), whole.map(\.bitPattern))
        XCTAssertEqual(tensors.run(shape, low: 0, high: 6, splits: [0, 5, 9, rows]).map(\.bitPattern), whole.map(\.bitPattern))
    }

    private func check(_ shape: Shape, _ random: inout Random, specials: [Float] = []) {
        check(shape, Tensors(shape, &random, specials: specials))
    }

    private func check(_ shape: Shape, _ tensors: Tensors) {
        KernelChecks.expectEveryClamp(tensors.reference(shape), "\(shape)") { low, high in
            tensors.run(shape, low: low, high: high, splits: [0, shape.batch * shape.outHeight])
        }
    }

    /// Random inputs, a TFLite [Cout, KH, KW, Cin] filter and a bias for one shape.
    struct Tensors {
        var input: [Float], filter: [Float], bias: [Float]

        init(_ shape: Shape, _ random: inout Random, specials: [Float]) {
            input = KernelChecks.draw(shape.batch * shape.height * shape.width * shape.inChannels, 3, &random, specials: specials)
            filter = KernelChecks.draw(shape.outChannels * shape.depth, 1, &random, specials: specials)
            bias = KernelChecks.draw(shape.outChannels, 1, &random, specials: specials)
        }

        /// The kernel's output for rows cut at `splits` (ascending, from 0 to every row), with the
        /// filter and bias laid out as CKernels.h says (zeros past Cout, as the lowering pads them).
        func run(_ shape: Shape, low: Float, high: Float, splits: [Int]) -> [Float] {
            let n = shape.outChannels, k = shape.depth, width = handmesh_direct_conv_channels(n)
            var weights = [Float](repeating: 0, count: k * width), padded = [Float](repeating: 0, count: width)
            for c in 0..<n {
                for t in 0..<k { weights[t * width + c] = filter[c * k + t] }
                padded[c] = bias[c]
            }
            return KernelChecks.guarded(shape.batch * shape.outHeight * shape.outWidth * n, "\(shape)") { y in
                input.withUnsafeBufferPointer { x in
                    weights.withUnsafeBufferPointer { w in
                        padded.withUnsafeBufferPointer { b in
                            var op = handmesh_direct_conv(
                                input: x.baseAddress, output: y, weights: w.baseAddress, bias: b.baseAddress,
                                batch: shape.batch, height: shape.height, width: shape.width, inChannels: shape.inChannels,
                                outHeight: shape.outHeight, outWidth: shape.outWidth, outChannels: n,
                                kernelHeight: shape.kernel, kernelWidth: shape.kernel, strideHeight: shape.stride, strideWidth: shape.stride,
                                padTop: shape.padTop, padLeft: shape.padLeft, low: low, high: high)
                            for i in 1..<splits.count { handmesh_direct_conv_rows(&op, splits[i - 1], splits[i]) }
                        }
                    }
                }
            }
        }

        /// Unclamped sums in the GEMM's order over an im2col row, one output at a time.
        func reference(_ shape: Shape) -> [Float] {
            let n = shape.outChannels, cin = shape.inChannels, k = shape.depth
            var sums = [Float](repeating: 0, count: shape.batch * shape.outHeight * shape.outWidth * n)
            var patch = [Float](repeating: 0, count: k)
            for image in 0..<shape.batch {
                for oy in 0..<shape.outHeight {
                    for ox in 0..<shape.outWidth {
                        // The im2col row: the input under the kernel, +0 where it overhangs.
                        for ky in 0..<shape.kernel {
                            for kx in 0..<shape.kernel {
                                let iy = oy * shape.stride - shape.padTop + ky, ix = ox * shape.stride - shape.padLeft + kx
                                let inside = iy >= 0 && iy < shape.height && ix >= 0 && ix < shape.width
                                for ci in 0..<cin {
                                    patch[(ky * shape.kernel + kx) * cin + ci] =
                                        inside ? input[((image * shape.height + iy) * shape.width + ix) * cin + ci] : 0
                                }
                            }
                        }
                        for c in 0..<n {
                            var acc = bias[c]
                            for t in 0..<k { acc = acc.addingProduct(patch[t], filter[c * k + t]) }
                            sums[((image * shape.outHeight + oy) * shape.outWidth + ox) * n + c] = acc
                        }
                    }
                }
            }
            return sums
        }
    }
}
