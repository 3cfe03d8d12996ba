import CKernels
import XCTest

/// The depthwise kernel (`handmesh_depthwise_rows`) against a plain scalar loop that keeps its
/// contract: the bias, one fused multiply-add per tap inside the input (kernel rows ascending, then
/// columns), then the clamp. Every path of the kernel must agree with it bit for bit, so the strips,
/// their border columns, the masked channel tail and the generic path are all checked here, on the
/// landmark network's shapes and on odd ones.
final class DepthwiseStripTests: XCTestCase {
    typealias Random = ModelFuzzTests.Random

    struct Shape: CustomStringConvertible {
        var batch = 1
        var height: Int, width: Int, channels: Int, kernel: Int, stride: Int
        /// TFLite's SAME padding (as ExecutionPlan.window computes it), else VALID.
        var same = true

        var outHeight: Int { same ? (height + stride - 1) / stride : (height - kernel) / stride + 1 }
        var outWidth: Int { same ? (width + stride - 1) / stride : (width - kernel) / stride + 1 }
        var padTop: Int { same ? max((outHeight - 1) * stride + kernel - height, 0) / 2 : 0 }
        var padLeft: Int { same ? max((outWidth - 1) * stride + kernel - width, 0) / 2 : 0 }
        var description: String {
            "\(batch)x\(height)x\(width)x\(channels) \(kernel)x\(kernel)/\(stride)\(same ? "" : " VALID")"
        }
    }

    /// hand_landmark_full's depthwise convolutions (input, kernel, stride), SAME padding.
    static let landmarkShapes = [
        Shape(height: 112, width: 112, channels: 24, kernel: 3, stride: 1),
        Shape(height: 112, width: 112, channels: 64, kernel: 3, stride: 2),
        Shape(height: 56, width: 56, channels: 144, kernel: 3, stride: 1),
        Shape(height: 56, width: 56, channels: 144, kernel: 5, stride: 2),
        Shape(height: 28, width: 28, channels: 240, kernel: 5, stride: 1),
        Shape(height: 28, width: 28, channels: 240, kernel: 3, stride: 2),
        Shape(height: 14, width: 14, channels: 480, kernel: 3, stride: 1),
        Shape(height: 14, width: 14, channels: 480, kernel: 5, stride: 1),
        Shape(height: 14, width: 14, channels: 672, kernel: 5, stride: 1),
        Shape(height: 14, width: 14, channels: 672, kernel: 5, stride: 2),
        Shape(height: 7, width: 7, channels: 1152, kernel: 5, stride: 1),
        Shape(height: 7, width: 7, channels: 1152, kernel: 3, stride: 1),
    ]

    func testLandmarkShapesMatchTheReference() {
        var random = Random(state: 1)
        for shape in Self.landmarkShapes { check(shape, &random) }
    }

    /// Small maps (width 1 to 3 and odd sizes, so strips of every width and both borders in one
    /// strip), channel counts that are and are not multiples of 8, kernels 1 to 7, strides 1 to 3,
    /// batches of two, and VALID padding.
    func testOddShapesMatchTheReference() {
        var random = Random(state: 2)
        let maps = [(1, 1), (2, 2), (3, 3), (1, 9), (9, 1), (5, 7), (7, 3), (4, 4), (13, 11), (10, 17), (15, 15), (2, 23), (16, 16), (6, 12)]
        for (height, width) in maps {
            for channels in [8, 24, 40, 3, 11, 1] {
                for kernel in [1, 2, 3, 5, 7] {
                    for stride in [1, 2, 3] {
                        check(Shape(batch: 1 + (height + width + kernel) % 2, height: height, width: width,
                                    channels: channels, kernel: kernel, stride: stride), &random)
                        if height >= kernel && width >= kernel {
                            check(Shape(height: height, width: width, channels: channels, kernel: kernel, stride: stride, same: false), &random)
                        }
                    }
                }
            }
        }
    }

    /// Infinities, NaN and signed zeros in the inputs, weights and biases: the kernel must pass them
    /// through the same operations in the same order (NaN compared as NaN, its payload aside).
    func testSpecialValuesMatchTheReference() {
        var random = Random(state: 3)
        let specials: [Float] = [.infinity, -.infinity, .nan, 0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        for shape in [Shape(height: 9, width: 9, channels: 16, kernel: 3, stride: 1), Shape(height: 9, width: 19, channels: 13, kernel: 5, stride: 2),
                      Shape(height: 7, width: 7, channels: 24, kernel: 5, stride: 1)] {
            check(shape, &random, specials: specials)
        }
    }

    /// Splitting the rows over calls, as the interpreter's threads do, gives the same output.
    func testRowSplitsDoNotChangeTheOutput() {
        var random = Random(state: 4)
        let shape = Shape(batch: 2, height: 14, width: 14, channels: 40, kernel: 5, stride: 1)
        let tensors = Tensors(shape, &random, specials: [])
        let rows = shape.batch * shape.outHeight
        let whole = tensors.run(shape, low: 0, high: 6, splits: [0, rows])
        XCTAssertEqual(tensors.run(shape, low: 0, high: 6, splits: Array(0...rows)).map(\.bitPattern), whole.map(\.bitPattern))
        XCTAssertEqual(tensors.run(shape, low: 0, high: 6, splits: [0, 5, 13, rows]).map(\.bitPattern), whole.map(\.bitPattern))
    }

    private func check(_ shape: Shape, _ random: inout Random, specials: [Float] = []) {
        let tensors = Tensors(shape, &random, specials: specials)
        KernelChecks.expectEveryClamp(tensors.reference(shape), "\(shape)") { low, high in
            tensors.run(shape, low: low, high: high, splits: [0, shape.batch * shape.outHeight])
        }
    }

    /// Random inputs, weights and biases for one shape.
    struct Tensors {
        var input: [Float], weights: [Float], bias: [Float]

        init(_ shape: Shape, _ random: inout Random, specials: [Float]) {
            input = KernelChecks.draw(shape.batch * shape.height * shape.width * shape.channels, 3, &random, specials: specials)
            weights = KernelChecks.draw(shape.kernel * shape.kernel * shape.channels, 1, &random, specials: specials)
            bias = KernelChecks.draw(shape.channels, 1, &random, specials: specials)
        }

        /// The kernel's output for rows cut at `splits` (ascending, from 0 to every row).
        func run(_ shape: Shape, low: Float, high: Float, splits: [Int]) -> [Float] {
            KernelChecks.guarded(shape.batch * shape.outHeight * shape.outWidth * shape.channels, "\(shape)") { y in
                input.withUnsafeBufferPointer { x in
                    weights.withUnsafeBufferPointer { w in
                        bias.withUnsafeBufferPointer { b in
                            var op = handmesh_depthwise(
                                input: x.baseAddress, output: y, weights: w.baseAddress, bias: b.baseAddress,
                                batch: shape.batch, height: shape.height, width: shape.width, channels: shape.channels,
                                outHeight: shape.outHeight, outWidth: shape.outWidth, kernelHeight: shape.kernel, kernelWidth: shape.kernel,
                                strideHeight: shape.stride, strideWidth: shape.stride, padTop: shape.padTop, padLeft: shape.padLeft,
                                low: low, high: high)
                            for k in 1..<splits.count { handmesh_depthwise_rows(&op, splits[k - 1], splits[k]) }
                        }
                    }
                }
            }
        }

        /// Unclamped sums in the contract's order, one output at a time.
        func reference(_ shape: Shape) -> [Float] {
            let c = shape.channels
            var sums = [Float](repeating: 0, count: shape.batch * shape.outHeight * shape.outWidth * c)
            for n in 0..<shape.batch {
                for oy in 0..<shape.outHeight {
                    for ox in 0..<shape.outWidth {
                        for ch in 0..<c {
                            var acc = bias[ch]
                            for ky in 0..<shape.kernel {
                                let iy = oy * shape.stride - shape.padTop + ky
                                guard iy >= 0 && iy < shape.height else { continue }
                                for kx in 0..<shape.kernel {
                                    let ix = ox * shape.stride - shape.padLeft + kx
                                    guard ix >= 0 && ix < shape.width else { continue }
                                    acc = acc.addingProduct(input[((n * shape.height + iy) * shape.width + ix) * c + ch],
                                                            weights[(ky * shape.kernel + kx) * c + ch])
                                }
                            }
                            sums[((n * shape.outHeight + oy) * shape.outWidth + ox) * c + ch] = acc
                        }
                    }
                }
            }
            return sums
        }
    }
}
