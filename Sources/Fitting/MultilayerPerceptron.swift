import COpenBLAS

/// A fully connected network with ReLU hidden layers and a linear output, in Float32.
/// Layer l maps `sizes[l]` inputs to `sizes[l + 1]` outputs; weights are row-major
/// (outputs x inputs), as safetensors stores them.
public struct MultilayerPerceptron: Sendable, Equatable {
    public let sizes: [Int]
    public var weights: [[Float]]
    public var biases: [[Float]]

    public var layerCount: Int { sizes.count - 1 }
    public var inputCount: Int { sizes[0] }
    public var outputCount: Int { sizes[sizes.count - 1] }
    public var parameterCount: Int { (0..<layerCount).reduce(0) { $0 + sizes[$1] * sizes[$1 + 1] + sizes[$1 + 1] } }

    /// He-initialized weights (He et al. 2015, for ReLU), zero biases; the last layer is scaled
    /// down so that the untrained iterative regressor starts near "no correction".
    public init(sizes: [Int], seed: UInt64, outputScale: Float = 0.1) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "MultilayerPerceptron: bad sizes \(sizes)")
        self.sizes = sizes
        var rng = SeededRandom(seed: seed)
        var w: [[Float]] = []
        var b: [[Float]] = []
        for l in 0..<(sizes.count - 1) {
            let fanIn = sizes[l], fanOut = sizes[l + 1]
            let std = (2.0 / Double(fanIn)).squareRoot() * (l == sizes.count - 2 ? Double(outputScale) : 1)
            w.append((0..<(fanIn * fanOut)).map { _ in Float(rng.gaussian() * std) })
            b.append([Float](repeating: 0, count: fanOut))
        }
        weights = w
        biases = b
    }

    public init(sizes: [Int], weights: [[Float]], biases: [[Float]]) {
        precondition(weights.count == sizes.count - 1 && biases.count == sizes.count - 1, "MultilayerPerceptron: layer count")
        for l in 0..<(sizes.count - 1) {
            precondition(weights[l].count == sizes[l] * sizes[l + 1] && biases[l].count == sizes[l + 1],
                         "MultilayerPerceptron: layer \(l) has the wrong size")
        }
        self.sizes = sizes
        self.weights = weights
        self.biases = biases
    }

    /// Preallocated activations for single-sample inference.
    public struct Workspace: Sendable {
        var a: [Float]
        var b: [Float]
        public init(for net: MultilayerPerceptron) {
            let m = net.sizes.max()!
            a = [Float](repeating: 0, count: m)
            b = [Float](repeating: 0, count: m)
        }
    }

    /// One sample: `input` (inputCount) to `output` (outputCount). Allocates nothing.
    public func forward(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>,
                        workspace: inout Workspace) {
        precondition(input.count >= inputCount && output.count >= outputCount, "MultilayerPerceptron.forward: buffer sizes")
        workspace.a.withUnsafeMutableBufferPointer { bufA in
            workspace.b.withUnsafeMutableBufferPointer { bufB in
                var src = bufA.baseAddress!, dst = bufB.baseAddress!
                for i in 0..<inputCount { src[i] = input[i] }
                for l in 0..<layerCount {
                    let nIn = sizes[l], nOut = sizes[l + 1]
                    let last = l == layerCount - 1
                    let out = last ? output.baseAddress! : dst
                    biases[l].withUnsafeBufferPointer { bias in
                        for o in 0..<nOut { out[o] = bias[o] }
                    }
                    weights[l].withUnsafeBufferPointer { w in
                        cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(nOut), Int32(nIn), 1,
                                    w.baseAddress, Int32(nIn), src, 1, 1, out, 1)
                    }
                    if !last {
                        for o in 0..<nOut where out[o] < 0 { out[o] = 0 }
                        swap(&src, &dst)
                    }
                }
            }
        }
    }
}
