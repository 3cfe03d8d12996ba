import CFFmpeg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One input as written on the command line or in the config, classified before anything is opened.
///
/// Forms: `-` (stdin), `lavfi:GRAPH` (a synthetic source from libavfilter), `/dev/videoN` (a V4L2 camera),
/// `scheme://…` (any URL an FFmpeg input protocol opens), a path with a `%d`/`%05d` pattern (an image
/// sequence), `manifest:PATH` (a list of photos, see `PhotoManifest`), a folder (`DIR/`, or any path that is
/// a directory: its photos, see `PhotoFolder`), a path with an image extension (a single photo), and any
/// other path (a video, or an image FFmpeg recognizes by its content).
public struct InputSpec: Sendable, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case file, imageSequence, url, camera, stdin, lavfi
        /// One photo, a folder of photos, a manifest listing photos: still images, each its own picture.
        case image, folder, manifest
    }

    /// The input exactly as given.
    public let text: String
    public var kind: Kind
    /// What FFmpeg is asked to open: the path, URL, device or filter graph (without `lavfi:`).
    public let location: String
    /// Live inputs never block capture: the pipeline drops frames at its entrance instead of applying backpressure.
    /// Cameras and network URLs are live. Files, image sequences and lavfi graphs are not (a lavfi graph is live when
    /// paced with `SourceOptions.realtime`). Stdin is treated as a file: a pipe already carries backpressure to its
    /// writer, and `cat clip.mp4 | handmesh` must not lose frames. Set this to override.
    public var isLive: Bool
    /// Options for the camera's V4L2 demuxer, from a query after the device: `/dev/video0?video_size=1280x720&framerate=30&input_format=mjpeg`.
    public let deviceOptions: [String: String]

    public init(parsing text: String) throws {
        self.text = text
        var deviceOptions: [String: String] = [:]
        let trimmed = text.trimmingWhitespace()
        guard !trimmed.isEmpty else {
            throw VideoError(input: text, message: "empty input; give a path, a URL, /dev/videoN, - or lavfi:GRAPH")
        }
        if trimmed == "-" {
            kind = .stdin; location = "pipe:0"; isLive = false
        } else if trimmed.hasPrefix("lavfi:") {
            let graph = String(trimmed.dropFirst("lavfi:".count))
            guard !graph.trimmingWhitespace().isEmpty else {
                throw VideoError(input: text, message: "lavfi: needs a filter graph, e.g. lavfi:testsrc=size=640x480:rate=30")
            }
            kind = .lavfi; location = graph; isLive = false
        } else if trimmed.hasPrefix("manifest:") {
            let path = String(trimmed.dropFirst("manifest:".count))
            guard !path.isEmpty else {
                throw VideoError(input: text, message: "manifest: needs a path, e.g. manifest:photos.jsonl")
            }
            kind = .manifest; location = path; isLive = false
        } else if trimmed.hasPrefix("/dev/video") || trimmed.hasPrefix("v4l2:") {
            let named = trimmed.hasPrefix("v4l2:") ? String(trimmed.dropFirst("v4l2:".count)) : trimmed
            let parts = named.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
            for pair in parts.count > 1 ? parts[1].split(separator: "&") : [] {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard keyValue.count == 2, !keyValue[0].isEmpty, !keyValue[1].isEmpty else {
                    throw VideoError(input: text, message: "camera option '\(pair)' is not NAME=VALUE")
                }
                deviceOptions[String(keyValue[0])] = String(keyValue[1])
            }
            guard let device = parts.first, !device.isEmpty else {
                throw VideoError(input: text, message: "no camera device named; give /dev/videoN")
            }
            kind = .camera; location = String(device); isLive = true
        } else if let scheme = InputSpec.scheme(of: trimmed) {
            if scheme == "file" {
                let path = String(trimmed.dropFirst("file://".count))
                kind = InputSpec.pathKind(path)
                location = path; isLive = false
            } else {
                guard InputSpec.inputProtocols.contains(scheme) else {
                    throw VideoError(input: text, message: "unsupported protocol '\(scheme)'; this FFmpeg reads \(InputSpec.inputProtocols.sorted().joined(separator: ", "))")
                }
                kind = .url; location = trimmed; isLive = true
            }
        } else {
            kind = InputSpec.pathKind(trimmed); location = trimmed; isLive = false
        }
        self.deviceOptions = deviceOptions
    }

    /// A photo of a folder or manifest, opened as a file whatever its name looks like.
    init(photo path: String) {
        text = path
        kind = .file
        location = path
        isLive = false
        deviceOptions = [:]
    }

    public var description: String { text }

    /// Single images, folders and manifests are still images by default: each picture stands alone.
    /// An image sequence (`%05d`) stays a video.
    public var isStillImages: Bool { kind == .image || kind == .folder || kind == .manifest }

    /// What a local path names: a `%d` pattern, a folder (a trailing slash, or a directory), a photo (by its
    /// extension) or else a file FFmpeg will probe.
    static func pathKind(_ path: String) -> Kind {
        if hasFramePattern(path) { return .imageSequence }
        var status = stat()
        if path.hasSuffix("/") || (stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR) { return .folder }
        return PhotoFolder.isImageName(path) ? .image : .file
    }

    /// Network and camera sources come back after a loss; files, pipes and graphs do not.
    public var canReconnect: Bool { kind == .url || kind == .camera }

    /// The URL scheme in lower case, for `.url` inputs.
    public var scheme: String? { kind == .url ? InputSpec.scheme(of: location) : nil }

    static func scheme(of text: String) -> String? {
        let characters = Array(text)
        var end = 0
        while end < characters.count, characters[end] != ":" { end += 1 }
        guard end > 0, characters.count >= end + 3, characters[end + 1] == "/", characters[end + 2] == "/" else { return nil }
        let scheme = characters[0..<end]
        guard scheme[0].isLetter else { return nil }
        for character in scheme where !(character.isLetter || character.isNumber || "+-.".contains(character)) {
            return nil
        }
        return String(scheme).lowercased()
    }

    /// `av_filename_number_test` is what the image2 demuxer itself uses to recognize `%d` patterns.
    static func hasFramePattern(_ path: String) -> Bool {
        path.contains("%") && av_filename_number_test(path) != 0
    }

    /// The input protocols compiled into this libavformat, so an unknown scheme is refused before a network attempt.
    static let inputProtocols: Set<String> = {
        var names = Set<String>()
        var opaque: UnsafeMutableRawPointer? = nil
        while let name = avio_enum_protocols(&opaque, 0) {
            names.insert(String(cString: name))
        }
        // RTSP is a demuxer that dials its own connections, not a protocol, so it is absent from the list above.
        if av_find_input_format("rtsp") != nil {
            names.formUnion(["rtsp", "rtsps"])
        }
        return names
    }()
}
