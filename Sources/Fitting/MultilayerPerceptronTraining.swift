import COpenBLAS
import Foundation

/// Minibatch forward and backward passes of a `MultilayerPerceptron` through sgemm, and Adam
/// (Kingma & Ba, ICLR 2015; their defaults beta1 0.9, beta2 0.999, eps 1e-8). Buffers are sized
/// once for `batchSize`; a training step allocates nothing.
public struct MultilayerPerceptronTrainer: Sendable {
    /// Cosine decay (Loshchilov & Hutter, SGDR, 2017, without restarts) from `start` at step 0 to
    /// `start · finalFraction` at the last of `steps`.
    public static func cosineLearningRate(_ start: Float, finalFraction f: Float, step: Int, of steps: Int) -> Float {
        let progress = Double(step) / Double(max(steps - 1, 1))
        return start * (f + (1 - f) * 0.5 * (1 + Float(cos(Double.pi * progress))))
    }

    public let batchSize: Int
    public let sizes: [Int]
    /// Activations per layer (layer 0 = the input batch, B x sizes[l]).
    private var activations: [[Float]]
    private var deltaA: [Float]
    private var deltaB: [Float]
    public private(set) var weightGradients: [[Float]]
    public private(set) var biasGradients: [[Float]]
    private var m: [[Float]], v: [[Float]], mb: [[Float]], vb: [[Float]]
    private var step = 0
    public var learningRate: Float
    public let beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8

    public init(network: MultilayerPerceptron, batchSize: Int, learningRate: Float) {
        self.batchSize = batchSize
        self.sizes = network.sizes
        self.learningRate = learningRate
        activations = network.sizes.map { [Float](repeating: 0, count: batchSize * $0) }
        let widest = network.sizes.max()!
        deltaA = [Float](repeating: 0, count: batchSize * widest)
        deltaB = [Float](repeating: 0, count: batchSize * widest)
        weightGradients = network.weights.map { [Float](repeating: 0, count: $0.count) }
        biasGradients = network.biases.map { [Float](repeating: 0, count: $0.count) }
        m = weightGradients; v = weightGradients; mb = biasGradients; vb = biasGradients
    }

    /// The input batch (B x inputCount, row-major) to fill before `forward`.
    public mutating func withInput<R>(_ body: (UnsafeMutableBufferPointer<Float>) -> R) -> R {
        activations[0].withUnsafeMutableBufferPointer { body($0) }
    }

    /// The input batch, read-only.
    public func withInputReadOnly<R>(_ body: (UnsafeBufferPointer<Float>) -> R) -> R {
        activations[0].withUnsafeBufferPointer(body)
    }

    /// The output batch (B x outputCount) of the last `forward`.
    public func withOutput<R>(_ body: (UnsafeBufferPointer<Float>) -> R) -> R {
        activations[sizes.count - 1].withUnsafeBufferPointer(body)
    }

    public mutating func zeroGradients() {
        for l in 0..<weightGradients.count {
            weightGradients[l].withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            biasGradients[l].withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        }
    }

    /// Runs the batch in the input buffer through `network`.
    public mutating func forward(_ network: MultilayerPerceptron) {
        let b = Int32(batchSize)
        for l in 0..<(sizes.count - 1) {
            let nIn = sizes[l], nOut = sizes[l + 1]
            let last = l == sizes.count - 2
            let input = activations[l]
            activations[l + 1].withUnsafeMutableBufferPointer { out in
                network.biases[l].withUnsafeBufferPointer { bias in
                    for r in 0..<batchSize {
                        let row = out.baseAddress! + r * nOut
                        for o in 0..<nOut { row[o] = bias[o] }
                    }
                }
                input.withUnsafeBufferPointer { x in
                    network.weights[l].withUnsafeBufferPointer { w in
                        // out (B x nOut) += x (B x nIn) * w^T (nIn x nOut)
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, b, Int32(nOut), Int32(nIn), 1,
                                    x.baseAddress, Int32(nIn), w.baseAddress, Int32(nIn), 1, out.baseAddress, Int32(nOut))
                    }
                }
                if !last {
                    for i in 0..<(batchSize * nOut) where out[i] < 0 { out[i] = 0 }
                }
            }
        }
    }

    /// Accumulates parameter gradients given dLoss/dOutput (B x outputCount) for the batch of the
    /// last `forward`.
    public mutating func backward(_ network: MultilayerPerceptron, outputGradient: UnsafeBufferPointer<Float>) {
        let b = Int32(batchSize)
        let L = sizes.count - 1
        deltaA.withUnsafeMutableBufferPointer { d in
            for i in 0..<(batchSize * sizes[L]) { d[i] = outputGradient[i] }
        }
        var l = L - 1
        while l >= 0 {
            let nIn = sizes[l], nOut = sizes[l + 1]
            let delta = deltaA
            activations[l].withUnsafeBufferPointer { x in
                delta.withUnsafeBufferPointer { d in
                    weightGradients[l].withUnsafeMutableBufferPointer { gw in
                        // gw (nOut x nIn) += d^T (nOut x B) * x (B x nIn)
                        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(nOut), Int32(nIn), b, 1,
                                    d.baseAddress, Int32(nOut), x.baseAddress, Int32(nIn), 1, gw.baseAddress, Int32(nIn))
                    }
                    biasGradients[l].withUnsafeMutableBufferPointer { gb in
                        for r in 0..<batchSize {
                            let row = d.baseAddress! + r * nOut
                            for o in 0..<nOut { gb[o] += row[o] }
                        }
                    }
                }
            }
            if l > 0 {
                deltaB.withUnsafeMutableBufferPointer { dIn in
                    delta.withUnsafeBufferPointer { d in
                        network.weights[l].withUnsafeBufferPointer { w in
                            // dIn (B x nIn) = d (B x nOut) * w (nOut x nIn)
                            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, b, Int32(nIn), Int32(nOut), 1,
                                        d.baseAddress, Int32(nOut), w.baseAddress, Int32(nIn), 0, dIn.baseAddress, Int32(nIn))
                        }
                    }
                    activations[l].withUnsafeBufferPointer { a in
                        // ReLU': the stored activation is zero exactly where the unit was off.
                        for i in 0..<(batchSize * nIn) where a[i] <= 0 { dIn[i] = 0 }
                    }
                }
                swap(&deltaA, &deltaB)
            }
            l -= 1
        }
    }

    /// One Adam update of `network` from the accumulated gradients.
    public mutating func adamStep(_ network: inout MultilayerPerceptron) {
        step += 1
        let c1 = 1 - Float(Foundation.pow(Double(beta1), Double(step)))
        let c2 = 1 - Float(Foundation.pow(Double(beta2), Double(step)))
        let lr = learningRate * c2.squareRoot() / c1
        for l in 0..<(sizes.count - 1) {
            Self.adam(&network.weights[l], weightGradients[l], &m[l], &v[l], lr, beta1, beta2, epsilon)
            Self.adam(&network.biases[l], biasGradients[l], &mb[l], &vb[l], lr, beta1, beta2, epsilon)
        }
    }

    private static func adam(_ p: inout [Float], _ g: [Float], _ m: inout [Float], _ v: inout [Float],
                             _ lr: Float, _ b1: Float, _ b2: Float, _ eps: Float) {
        p.withUnsafeMutableBufferPointer { p in
            g.withUnsafeBufferPointer { g in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        for i in 0..<p.count {
                            let gi = g[i]
                            m[i] = b1 * m[i] + (1 - b1) * gi
                            v[i] = b2 * v[i] + (1 - b2) * gi * gi
                            p[i] -= lr * m[i] / (v[i].squareRoot() + eps)
                        }
                    }
                }
            }
        }
    }
}
