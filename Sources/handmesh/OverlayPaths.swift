import Foundation

/// Checks that each `--overlay` video can be written before processing starts (its encoder opens
/// only on the first frame, too late to refuse the run), and remembers which files the check
/// created so that a run that then fails to start leaves none behind.
struct OverlayPaths {
    private var created: [String] = []

    /// Opens `path` for writing, creating it if missing; throws one line naming it otherwise.
    mutating func check(_ path: String) throws {
        var fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd >= 0 {
            created.append(path)
        } else if errno == EEXIST {
            // An existing file is overwritten by the encoder; only whether it can be is asked here.
            fd = open(path, O_WRONLY | O_CLOEXEC)
        }
        guard fd >= 0 else {
            throw OverlayPathError(path: path, reason: String(cString: strerror(errno)))
        }
        close(fd)
    }

    /// Removes the files `check` created (never one that was there before).
    func removeCreated() {
        for path in created { unlink(path) }
    }
}

struct OverlayPathError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "overlay \(path): cannot open for writing: \(reason)" }
}
