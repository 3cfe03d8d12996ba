import Foundation

/// The socket server's accept pauses and the episodes its log lines summarise: a run of failed
/// accepts (out of file descriptors) is one warning when it starts and one notice when an accept
/// works again; a run of refused clients (at `max_clients`) likewise. Touched under the sink's lock.
struct AcceptBackoff {
    /// From 10 ms, doubling, up to 1 s: short enough that clients barely notice a brief shortage,
    /// long enough that a lasting one costs nothing.
    static let initialDelay = 0.01
    static let maxDelay = 1.0

    var paused = false
    private(set) var episodeFailures = 0
    private var episodeStart: Date?
    private var delay = initialDelay
    private var refusedInEpisode = 0

    /// Records a failed accept; returns how long to pause before the next one.
    mutating func failed() -> Double {
        if episodeFailures == 0 {
            episodeStart = Date()
            delay = Self.initialDelay
        } else {
            delay = min(delay * 2, Self.maxDelay)
        }
        episodeFailures += 1
        return delay
    }

    /// Records an accept that worked; returns the episode it ends, if one was running.
    mutating func succeeded() -> (failures: Int, seconds: String)? {
        guard episodeFailures > 0 else { return nil }
        let seconds = Date().timeIntervalSince(episodeStart ?? Date())
        defer {
            episodeFailures = 0
            episodeStart = nil
            delay = Self.initialDelay
        }
        return (episodeFailures, String(format: "%.2f", seconds))
    }

    /// Records a refused client; true for the first of a run, which is the one to log.
    mutating func refused() -> Bool {
        refusedInEpisode += 1
        return refusedInEpisode == 1
    }

    /// Records a client admitted; returns how many were refused before it, if any were.
    mutating func admitted() -> Int? {
        guard refusedInEpisode > 0 else { return nil }
        defer { refusedInEpisode = 0 }
        return refusedInEpisode
    }
}
