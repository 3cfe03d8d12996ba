import CFFmpeg

/// How much FFmpeg itself writes to stderr. FFmpeg's log level is one setting for the whole process, so the
/// command line sets it once at startup; the library never changes it on its own.
public enum FFmpegLogLevel: String, Sendable, CaseIterable {
    case quiet, fatal, error, warning, info, verbose, debug

    var value: Int32 {
        switch self {
        case .quiet: AV_LOG_QUIET
        case .fatal: AV_LOG_FATAL
        case .error: AV_LOG_ERROR
        case .warning: AV_LOG_WARNING
        case .info: AV_LOG_INFO
        case .verbose: AV_LOG_VERBOSE
        case .debug: AV_LOG_DEBUG
        }
    }

    /// Applies this level to every FFmpeg library in the process.
    public func apply() { av_log_set_level(value) }

    /// The level in force now.
    public static var current: FFmpegLogLevel {
        let level = av_log_get_level()
        return allCases.last { $0.value <= level } ?? .quiet
    }
}
