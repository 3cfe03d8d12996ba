import Foundation
import HandModel

/// The regressor's weights as safetensors (the HandModel target's reader and writer): `layer{l}.weight`
/// (outputs x inputs, F32), `layer{l}.bias`, and `start` (the mean estimate the passes begin from).
extension HandRegressor {
    /// Name of the committed weights inside the Fitting target's resources.
    public static let bundledResourceName = "regressor"

    public func safetensors(metadata: [String: String] = [:]) -> Safetensors {
        func tensor(_ v: [Float], _ shape: [Int]) -> Safetensors.Tensor {
            Safetensors.Tensor(dtype: .f32, shape: shape, bytes: v.flatMap { x -> [UInt8] in
                withUnsafeBytes(of: x.bitPattern.littleEndian) { Array($0) }
            })
        }
        var t: [String: Safetensors.Tensor] = [:]
        let n = network
        for l in 0..<n.layerCount {
            t["layer\(l).weight"] = tensor(n.weights[l], [n.sizes[l + 1], n.sizes[l]])
            t["layer\(l).bias"] = tensor(n.biases[l], [n.sizes[l + 1]])
        }
        t["start"] = tensor(start, [start.count])
        return Safetensors(tensors: t, metadata: metadata)
    }

    /// Rebuilds a regressor from its tensors; `source` names the file in errors.
    public init(safetensors file: Safetensors, source: String) throws {
        var sizes = [HandRegressor.inputCount]
        var weights: [[Float]] = [], biases: [[Float]] = []
        var l = 0
        while let w = file.tensors["layer\(l).weight"] {
            guard w.shape.count == 2, w.shape[1] == sizes[l] else {
                throw FittingError(source, "layer\(l).weight has shape \(w.shape), expected [_, \(sizes[l])]")
            }
            guard let b = file.tensors["layer\(l).bias"], b.shape == [w.shape[0]] else {
                throw FittingError(source, "layer\(l).bias is missing or not of shape [\(w.shape[0])]")
            }
            sizes.append(w.shape[0])
            weights.append(w.doubles.map(Float.init))
            biases.append(b.doubles.map(Float.init))
            l += 1
        }
        guard l >= 1, sizes.last == HandRegressor.estimateCount else {
            throw FittingError(source, "the network's output has \(l == 0 ? 0 : sizes.last!) values, expected \(HandRegressor.estimateCount)")
        }
        guard let s = file.tensors["start"], s.shape == [HandRegressor.estimateCount] else {
            throw FittingError(source, "start is missing or not of shape [\(HandRegressor.estimateCount)]")
        }
        for layer in weights + biases { for v in layer where !v.isFinite { throw FittingError(source, "a weight is not finite") } }
        self.init(network: MultilayerPerceptron(sizes: sizes, weights: weights, biases: biases), start: s.doubles.map(Float.init))
    }

    public init(contentsOf url: URL) throws {
        try self.init(safetensors: try Safetensors(contentsOf: url), source: url.path)
    }

    public func write(to url: URL, metadata: [String: String] = [:]) throws {
        try safetensors(metadata: metadata).write(to: url)
    }
}
