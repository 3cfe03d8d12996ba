import Foundation

extension HandModel {
    /// The model a configuration names: `"builtin"` (or empty) for the open hand, or `"mano:PATH"` for
    /// a converted MANO file. PATH may contain `{side}` (replaced by `right` or `left`), name a
    /// directory holding `mano_right.safetensors` and `mano_left.safetensors`, or name one file, which
    /// is then used for the requested side as given.
    public static func named(_ spec: String, side: HandSide, keypoints: KeypointConvention = .mediaPipe) throws -> HandModel {
        let trimmed = spec.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty || trimmed == "builtin" {
            let model = builtIn(side: side)
            return keypoints == .mediaPipe ? model : model.with(keypoints: keypoints)
        }
        guard trimmed.hasPrefix("mano:"), trimmed.count > 5 else {
            throw HandModelError("model \"\(spec)\"", "expected \"builtin\" or \"mano:PATH\"")
        }
        var path = String(trimmed.dropFirst(5)).replacingOccurrences(of: "{side}", with: side.rawValue)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            path = URL(fileURLWithPath: path).appendingPathComponent("mano_\(side.rawValue).safetensors").path
        }
        return try HandModel(safetensorsAt: URL(fileURLWithPath: path), side: side, keypoints: keypoints)
    }
}
