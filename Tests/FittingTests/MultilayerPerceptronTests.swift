import Fitting
import XCTest

final class MultilayerPerceptronTests: XCTestCase {
    /// The batched sgemm backward pass against central differences of the loss
    /// L = sum_b sum_o g_bo * y_bo (so dL/dy = g), in double-checked Float.
    func testBackwardMatchesFiniteDifferences() {
        let sizes = [5, 7, 6, 3]
        var net = MultilayerPerceptron(sizes: sizes, seed: 11, outputScale: 1)
        // Biases away from zero so ReLUs are not on their kinks.
        for l in 0..<net.layerCount { for i in 0..<net.biases[l].count { net.biases[l][i] = 0.1 * Float(i % 3) - 0.05 } }
        let batch = 4
        var rng = SeededRandom(seed: 12)
        let input = (0..<(batch * 5)).map { _ in Float(rng.gaussian()) }
        let g = (0..<(batch * 3)).map { _ in Float(rng.gaussian()) }
        var trainer = MultilayerPerceptronTrainer(network: net, batchSize: batch, learningRate: 0)

        func loss(_ n: MultilayerPerceptron) -> Double {
            var ws = MultilayerPerceptron.Workspace(for: n)
            var total = 0.0
            var out = [Float](repeating: 0, count: 3)
            for b in 0..<batch {
                let x = Array(input[(b * 5)..<(b * 5 + 5)])
                x.withUnsafeBufferPointer { xs in out.withUnsafeMutableBufferPointer { n.forward(xs, into: $0, workspace: &ws) } }
                for o in 0..<3 { total += Double(g[b * 3 + o]) * Double(out[o]) }
            }
            return total
        }
        trainer.withInput { buf in for i in 0..<input.count { buf[i] = input[i] } }
        trainer.zeroGradients()
        trainer.forward(net)
        // The batched forward agrees with the single-sample one.
        var batchedLoss = 0.0
        trainer.withOutput { out in for i in 0..<(batch * 3) { batchedLoss += Double(g[i]) * Double(out[i]) } }
        XCTAssertEqual(batchedLoss, loss(net), accuracy: 1e-4)
        g.withUnsafeBufferPointer { trainer.backward(net, outputGradient: $0) }

        let h: Float = 1e-3
        for l in 0..<net.layerCount {
            for i in stride(from: 0, to: net.weights[l].count, by: 3) {
                var plus = net, minus = net
                plus.weights[l][i] += h; minus.weights[l][i] -= h
                let fd = (loss(plus) - loss(minus)) / Double(2 * h)
                XCTAssertEqual(Double(trainer.weightGradients[l][i]), fd, accuracy: 2e-3 * max(1, abs(fd)), "layer \(l) weight \(i)")
            }
            for i in 0..<net.biases[l].count {
                var plus = net, minus = net
                plus.biases[l][i] += h; minus.biases[l][i] -= h
                let fd = (loss(plus) - loss(minus)) / Double(2 * h)
                XCTAssertEqual(Double(trainer.biasGradients[l][i]), fd, accuracy: 2e-3 * max(1, abs(fd)), "layer \(l) bias \(i)")
            }
        }
    }

    /// Adam on a tiny regression problem drives the loss down.
    func testAdamFitsALinearMap() {
        var net = MultilayerPerceptron(sizes: [2, 16, 1], seed: 5, outputScale: 1)
        let batch = 32
        var trainer = MultilayerPerceptronTrainer(network: net, batchSize: batch, learningRate: 1e-2)
        var rng = SeededRandom(seed: 6)
        var first = 0.0, last = 0.0
        var grad = [Float](repeating: 0, count: batch)
        for step in 0..<400 {
            var xs: [Float] = []
            trainer.withInput { buf in
                for b in 0..<batch {
                    let a = Float(rng.uniform(-1, 1)), c = Float(rng.uniform(-1, 1))
                    buf[2 * b] = a; buf[2 * b + 1] = c
                    xs.append(3 * a - 2 * c + 0.5)
                }
            }
            trainer.zeroGradients()
            trainer.forward(net)
            var loss = 0.0
            trainer.withOutput { out in
                for b in 0..<batch {
                    let d = out[b] - xs[b]
                    grad[b] = 2 * d / Float(batch)
                    loss += Double(d * d) / Double(batch)
                }
            }
            grad.withUnsafeBufferPointer { trainer.backward(net, outputGradient: $0) }
            trainer.adamStep(&net)
            if step == 0 { first = loss }
            last = loss
        }
        XCTAssertLessThan(last, 0.01 * first)
    }
}
