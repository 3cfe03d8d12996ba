#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The photos of a folder (`--input DIR/`): its image files in byte-wise name order, hidden files and
/// anything that is not an image skipped.
public enum PhotoFolder {
    /// Extensions of single pictures FFmpeg's image2 demuxer reads. GIF and APNG are left out: they may
    /// be animations, which FFmpeg reads as videos.
    public static let imageExtensions: Set<String> = [
        "png", "jpg", "jpeg", "jpe", "jfif", "bmp", "webp", "tif", "tiff", "ppm", "pgm", "pbm", "pnm", "pam",
        "tga", "dpx", "exr", "jp2", "j2k", "jxl", "qoi", "sgi", "pcx", "hdr", "xbm", "xwd",
    ]

    /// Whether a file name ends in one of `imageExtensions`, in any case.
    public static func isImageName(_ name: String) -> Bool {
        guard let dot = name.utf8.lastIndex(of: UInt8(ascii: ".")) else { return false }
        let ext = String(name[name.utf8.index(after: dot)...]).lowercased()
        return imageExtensions.contains(ext)
    }

    /// The folder's photos, or an error naming the folder when it cannot be listed or holds no image.
    public static func list(_ folder: String) throws(VideoError) -> [StillImage] {
        guard let directory = opendir(folder) else {
            let reason = errno == ENOENT ? "no such folder" : String(cString: strerror(errno)).lowercased()
            throw VideoError(input: folder, message: "cannot list the folder: \(reason)")
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard !name.hasPrefix("."), isImageName(name) else { continue }
            let path = PhotoManifest.resolve(name, against: folder)
            var status = stat()
            // A folder named like an image is not a photo; a file that cannot be read still is, and gets its
            // error record when its turn comes.
            if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { continue }
            names.append(name)
        }
        guard !names.isEmpty else {
            throw VideoError(input: folder, message: "the folder holds no image files (\(imageExtensions.sorted().prefix(6).joined(separator: ", ")), …)")
        }
        names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return names.map { StillImage(path: PhotoManifest.resolve($0, against: folder)) }
    }
}
