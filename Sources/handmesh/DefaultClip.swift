import Foundation
import Render

/// The embedded default input: the synthetic hand clip `handmesh synth` renders with its default
/// options, made on first use and cached, so that `handmesh run` with no input shows the whole
/// pipeline on a hand whose truth is known.
enum DefaultClip {
    /// Bump when the renderer's output changes, so a stale cached clip is replaced.
    static let version = 1

    static func path() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        let folder = cache.appendingPathComponent("handmesh")
        let clip = folder.appendingPathComponent("default-clip-v\(version).mp4")
        if FileManager.default.fileExists(atPath: clip.path) { return clip.path }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Render beside the target and rename, so an interrupted render never leaves a half clip.
        let partial = folder.appendingPathComponent("default-clip-v\(version).partial.\(getpid()).mp4")
        defer { try? FileManager.default.removeItem(at: partial) }
        _ = try SynthClip.write(SynthOptions(), video: partial.path, truth: { _, _ in })
        _ = try? FileManager.default.removeItem(at: clip)
        try FileManager.default.moveItem(at: partial, to: clip)
        return clip.path
    }
}
