import Fitting
import Foundation
import HandModel

/// The mask regressor's weights as safetensors: `layer{l}.weight` (outputs x inputs, F32) and
/// `layer{l}.bias`, as the keypoint regressor stores its own.
extension MaskRegressor {
    /// Name of the committed weights inside the Silhouette target's resources.
    public static let bundledResourceName = "mask-regressor"

    public func safetensors(metadata: [String: String] = [:]) -> Safetensors {
        Safetensors(tensors: network.tensors, metadata: metadata)
    }

    /// Rebuilds a regressor from its tensors; `source` names the file in errors.
    public init(safetensors file: Safetensors, source: String) throws {
        self.init(network: try MultilayerPerceptron(tensors: file, inputCount: MaskFeatures.count,
                                                    outputCount: MaskRegressor.outputCount, source: source))
    }

    public init(contentsOf url: URL) throws {
        try self.init(safetensors: try Safetensors(contentsOf: url), source: url.path)
    }

    public func write(to url: URL, metadata: [String: String] = [:]) throws {
        try safetensors(metadata: metadata).write(to: url)
    }

    /// The committed weights (Sources/Silhouette/Resources/mask-regressor.safetensors, made by
    /// `handmesh train mask-regressor` on another machine: OpenBLAS's kernels differ by CPU, and a
    /// training here gives other bytes that score alike, README "Real masks").
    public static func bundled() throws -> MaskRegressor {
        guard let url = Bundle.module.url(forResource: bundledResourceName, withExtension: "safetensors") else {
            throw FittingError("Silhouette resources", "\(bundledResourceName).safetensors is missing from the bundle")
        }
        return try MaskRegressor(contentsOf: url)
    }
}
