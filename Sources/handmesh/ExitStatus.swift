import ArgumentParser

/// The exit statuses `run` and `serve` document, so that scripts can tell them apart.
enum ExitStatus {
    /// Every input was read to its end (or the process was told to stop) and written.
    static let done = ExitCode(0)
    /// A bad config file or a bad argument.
    static let badConfiguration = ExitCode(1)
    /// An input could not be read at all (missing, unreadable, not a video, refused).
    static let unreadableInput = ExitCode(2)
    /// Done, but an input was damaged (corrupt packets were skipped) or a live input was lost for good.
    static let damagedInput = ExitCode(3)
    /// An output could not be opened (a socket in use, a directory that does not exist).
    static let outputFailed = ExitCode(4)
    /// Stopped early: every output of a stream was gone for good (the reader of a pipe went away),
    /// so reading on would only have thrown records away.
    static let outputsLost = ExitCode(5)
}
