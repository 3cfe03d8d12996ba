import Foundation

extension HandRegressor {
    /// The committed weights (Sources/Fitting/Resources/regressor.safetensors, made by
    /// `handmesh train regressor`; see that command for the reproducing invocation).
    public static func bundled() throws -> HandRegressor {
        guard let url = Bundle.module.url(forResource: bundledResourceName, withExtension: "safetensors") else {
            throw FittingError("Fitting resources", "\(bundledResourceName).safetensors is missing from the bundle")
        }
        return try HandRegressor(contentsOf: url)
    }
}
