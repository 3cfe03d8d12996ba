#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A list of photos, one JSON object a line (`--input manifest:PATH.jsonl`):
/// `{"image": "a.jpg", "id": "a", "camera": {"fx": 1500, "fy": 1500, "cx": 960, "cy": 540, "k1": -0.1}}`.
///
/// `image` is a path, relative to the manifest's folder unless absolute; `camera` gives fx, fy, cx and cy
/// (pixels of the photo as stored) and optionally k1 k2 p1 p2 k3; `id` is a string or a number (kept as
/// written). Blank lines are skipped. Anything else is refused with the manifest's path, the line number
/// and what is wrong.
public enum PhotoManifest {
    static let keys = ["image", "camera", "id"]
    static let cameraKeys = ["fx", "fy", "cx", "cy", "k1", "k2", "p1", "p2", "k3"]
    /// A manifest is a list of paths; one larger than this is not one.
    static let maxBytes = 256 << 20

    /// Reads and parses the manifest at `path`.
    public static func load(path: String) throws(VideoError) -> [StillImage] {
        let bytes = try readFile(path)
        let text = String(decoding: bytes, as: UTF8.self)
        let photos = try parse(text, path: path)
        guard !photos.isEmpty else { throw VideoError(input: path, message: "the manifest lists no images (every line is blank)") }
        return photos
    }

    /// Parses a manifest's text; `path` names it in errors and its folder anchors relative image paths.
    public static func parse(_ text: String, path: String) throws(VideoError) -> [StillImage] {
        let folder = folder(of: path)
        var photos: [StillImage] = []
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            if let photo = try parseLine(String(line), number: number, path: path, folder: folder) {
                photos.append(photo)
            }
        }
        return photos
    }

    /// One line: nil when blank, else its photo, or an error naming `path`, the line `number` and the problem.
    public static func parseLine(_ line: String, number: Int, path: String, folder: String) throws(VideoError) -> StillImage? {
        func refuse(_ message: String) -> VideoError { VideoError(input: path, message: "line \(number): \(message)") }
        guard !line.utf8.allSatisfy({ [0x20, 0x09, 0x0D].contains($0) }) else { return nil }
        let value: JSONValue
        do { value = try JSONValue.parse(line) } catch { throw refuse("not JSON: \(error.message)") }
        guard case .object(let members) = value else { throw refuse("expected a JSON object, got \(value.kindName)") }
        if let unknown = members.first(where: { !keys.contains($0.key) }) {
            throw refuse("unknown key \"\(unknown.key)\" (a line has image, and optionally camera and id)")
        }
        guard let image = members.first(where: { $0.key == "image" })?.value else { throw refuse("missing key \"image\"") }
        guard case .string(let imagePath) = image, !imagePath.isEmpty else {
            throw refuse("\"image\" must be a non-empty path, got \(image.kindName == "a string" ? "\"\"" : image.kindName)")
        }
        guard !imagePath.utf8.contains(0) else { throw refuse("\"image\" contains a NUL character") }
        var photo = StillImage(path: resolve(imagePath, against: folder))
        switch members.first(where: { $0.key == "id" })?.value {
        case nil: break
        case .string(let id)?: photo.id = id
        case .number(let text, _)?: photo.id = text
        case let other?: throw refuse("\"id\" must be a string or a number, got \(other.kindName)")
        }
        if let camera = members.first(where: { $0.key == "camera" })?.value {
            do { photo.camera = try intrinsics(camera) } catch { throw refuse("camera: \(error.message)") }
        }
        return photo
    }

    private static func intrinsics(_ value: JSONValue) throws(JSONSyntaxError) -> Intrinsics {
        guard case .object(let members) = value else { throw JSONSyntaxError(message: "expected an object, got \(value.kindName)") }
        if let unknown = members.first(where: { !cameraKeys.contains($0.key) }) {
            throw JSONSyntaxError(message: "unknown key \"\(unknown.key)\" (fx, fy, cx, cy, k1, k2, p1, p2, k3)")
        }
        func number(_ key: String) throws(JSONSyntaxError) -> (text: String, value: Double)? {
            guard let value = members.first(where: { $0.key == key })?.value else { return nil }
            guard case .number(let text, let number) = value else { throw JSONSyntaxError(message: "\(key) must be a number, got \(value.kindName)") }
            return (text, number)
        }
        var required: [Double] = []
        for key in ["fx", "fy", "cx", "cy"] {
            guard let number = try number(key) else { throw JSONSyntaxError(message: "missing \(key); a camera needs fx, fy, cx and cy") }
            // The config's camera table has the same bounds (ConfigLoader.focalRange): focal lengths
            // outside 1 px … 1e6 px (1e-300, 1e308) overflow the projection into nulls.
            let range = key.hasPrefix("f") ? 1.0...1e6 : -1e6...1e6
            guard range.contains(number.value) else {
                throw JSONSyntaxError(message: "\(key) must be \(key.hasPrefix("f") ? "from 1 to 1e6" : "from -1e6 to 1e6") pixels, got \(number.text)")
            }
            required.append(number.value)
        }
        var distortion: [Double] = []
        for key in ["k1", "k2", "p1", "p2", "k3"] { distortion.append(try number(key)?.value ?? 0) }
        while distortion.last == 0 { distortion.removeLast() }
        return Intrinsics(fx: required[0], fy: required[1], cx: required[2], cy: required[3], distortion: distortion)
    }

    /// `path` as seen from the process: absolute paths as they are, relative ones under `folder`.
    static func resolve(_ path: String, against folder: String) -> String {
        if path.hasPrefix("/") || folder.isEmpty { return path }
        return folder.hasSuffix("/") ? folder + path : folder + "/" + path
    }

    /// The folder part of a path ("" for a bare name, "/" for a file at the root).
    static func folder(of path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    private static func readFile(_ path: String) throws(VideoError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno)).lowercased()
            throw VideoError(input: path, message: "cannot read the manifest: \(reason)")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count > 0 { bytes += chunk[0..<count] }
            if bytes.count > maxBytes { throw VideoError(input: path, message: "the manifest is larger than \(maxBytes >> 20) MB") }
            if count < chunk.count {
                if ferror(file) != 0 {
                    throw VideoError(input: path, message: "cannot read the manifest: \(String(cString: strerror(errno)).lowercased())")
                }
                return bytes
            }
        }
    }
}
