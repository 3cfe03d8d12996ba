import Foundation

extension HandRegressor {
    /// The committed weights (Sources/Fitting/Resources/regressor.safetensors): self-augmented,
    /// made by `handmesh train regressor --from-fits` on fits of the stereo clip; the README
    /// ("Self-data augmentation") gives the commands that reproduce them bit for bit.
    public static func bundled() throws -> HandRegressor {
        guard let url = Bundle.module.url(forResource: bundledResourceName, withExtension: "safetensors") else {
            throw FittingError("Fitting resources", "\(bundledResourceName).safetensors is missing from the bundle")
        }
        return try HandRegressor(contentsOf: url)
    }
}
