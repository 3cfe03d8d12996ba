import Foundation
import HandModel

/// The regressor's weights as safetensors (the HandModel target's reader and writer): `layer{l}.weight`
/// (outputs x inputs, F32), `layer{l}.bias`, and `start` (the mean estimate the passes begin from).
extension HandRegressor {
    /// Name of the committed weights inside the Fitting target's resources.
    public static let bundledResourceName = "regressor"

    public func safetensors(metadata: [String: String] = [:]) -> Safetensors {
        var t = network.tensors
        t["start"] = Safetensors.Tensor(float32: start, shape: [start.count])
        return Safetensors(tensors: t, metadata: metadata)
    }

    /// Rebuilds a regressor from its tensors; `source` names the file in errors.
    public init(safetensors file: Safetensors, source: String) throws {
        let network = try MultilayerPerceptron(tensors: file, inputCount: HandRegressor.inputCount,
                                               outputCount: HandRegressor.estimateCount, source: source)
        guard let s = file.tensors["start"], s.shape == [HandRegressor.estimateCount] else {
            throw FittingError(source, "start is missing or not of shape [\(HandRegressor.estimateCount)]")
        }
        self.init(network: network, start: s.doubles.map(Float.init))
    }

    public init(contentsOf url: URL) throws {
        try self.init(safetensors: try Safetensors(contentsOf: url), source: url.path)
    }

    public func write(to url: URL, metadata: [String: String] = [:]) throws {
        try safetensors(metadata: metadata).write(to: url)
    }
}
