import Foundation

extension HandModel {
    /// The model a configuration names: `"builtin"` (or empty) for the open hand, or `"mano:PATH"` for
    /// a converted MANO file. PATH may contain `{side}` (replaced by `right` or `left`), name a
    /// directory holding `mano_right.safetensors` and `mano_left.safetensors`, or name one file. One
    /// file serves both sides: when it is of the other side (its `side` metadata, written by
    /// scripts/mano_to_safetensors.py, or else its file name) it is mirrored, as MANO_LEFT mirrors
    /// MANO_RIGHT; otherwise it is used as given. MANO's own pickle is refused with the command that
    /// converts it.
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
        let url = URL(fileURLWithPath: path)
        if isPickle(url) {
            let converted = url.deletingPathExtension().appendingPathExtension("safetensors").path
            throw HandModelError("mano:\(path)", "is MANO's pickle; convert it once with: python3 scripts/mano_to_safetensors.py "
                                 + "\(path) \(converted), then set model = \"mano:\(converted)\"")
        }
        let file = try Safetensors(contentsOf: url)
        var tensors = try HandModelTensors(safetensors: file, source: path)
        if let fileSide = declaredSide(file, url: url), fileSide != side { tensors = tensors.mirrored() }
        return try HandModel(tensors: tensors, side: side, keypoints: keypoints, source: path)
    }

    /// A Python pickle, by its extension or by its first bytes: the PROTO opcode 0x80 and protocol
    /// 2…5 (MANO's files are protocol 2), followed by opcodes. A safetensors file starts with its
    /// header length as a little-endian UInt64 below 100 MB, so its bytes 4…7 are zero; a pickle's
    /// are not all zero, so the two cannot be confused.
    static func isPickle(_ url: URL) -> Bool {
        if url.pathExtension.lowercased() == "pkl" || url.pathExtension.lowercased() == "pickle" { return true }
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 8), head.count == 8 else { return false }
        let bytes = [UInt8](head)
        return bytes[0] == 0x80 && (2...5).contains(bytes[1]) && bytes[4...7].contains { $0 != 0 }
    }

    /// The side a model file declares: its "side" metadata, else "left" or "right" in its file name.
    static func declaredSide(_ file: Safetensors, url: URL) -> HandSide? {
        if let s = file.metadata["side"] { return HandSide(rawValue: s.lowercased()) }
        let name = url.deletingPathExtension().lastPathComponent.lowercased()
        let left = name.contains("left"), right = name.contains("right")
        return left == right ? nil : (left ? .left : .right)
    }
}
