import HandModel

/// A network's layers as safetensors (the HandModel target's reader and writer): `layer{l}.weight`
/// (outputs × inputs, F32) and `layer{l}.bias`. Both regressors store theirs this way.
extension MultilayerPerceptron {
    public var tensors: [String: Safetensors.Tensor] {
        var t: [String: Safetensors.Tensor] = [:]
        for l in 0..<layerCount {
            t["layer\(l).weight"] = Safetensors.Tensor(float32: weights[l], shape: [sizes[l + 1], sizes[l]])
            t["layer\(l).bias"] = Safetensors.Tensor(float32: biases[l], shape: [sizes[l + 1]])
        }
        return t
    }

    /// Reads `layer0…` from `file`, checking that they chain from `inputCount` inputs to
    /// `outputCount` outputs and hold only finite values; `source` names the file in errors.
    public init(tensors file: Safetensors, inputCount: Int, outputCount: Int, source: String) throws {
        var sizes = [inputCount]
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
        guard l >= 1, sizes.last == outputCount else {
            throw FittingError(source, "the network's output has \(l == 0 ? 0 : sizes.last!) values, expected \(outputCount)")
        }
        for layer in weights + biases { for v in layer where !v.isFinite { throw FittingError(source, "a weight is not finite") } }
        self.init(sizes: sizes, weights: weights, biases: biases)
    }
}

extension Safetensors.Tensor {
    /// Little-endian F32 values.
    public init(float32 values: [Float], shape: [Int]) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(4 * values.count)
        for x in values { withUnsafeBytes(of: x.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        self.init(dtype: .f32, shape: shape, bytes: bytes)
    }
}
