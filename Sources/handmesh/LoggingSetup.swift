import Configuration
import Foundation
import Logging
import Video

/// Logs go to stderr, one line each, through swift-log.
enum LoggingSetup {
    static func bootstrap() {
        LoggingSystem.bootstrap { label in
            StreamLogHandler.standardError(label: label)
        }
    }

    static func logger(level name: String) -> Logger {
        var logger = Logger(label: "handmesh")
        logger.logLevel = Logger.Level(rawValue: name) ?? .info
        // FFmpeg's own console lines would interleave with ours; what matters of them (damage,
        // open failures) already reaches our records and one-line errors. Shown when debugging.
        (logger.logLevel <= .debug ? FFmpegLogLevel.info : FFmpegLogLevel.quiet).apply()
        return logger
    }
}

/// One error line on stderr, the form every fatal error takes.
func printError(_ message: String) {
    FileHandle.standardError.write(Data("handmesh: error: \(message)\n".utf8))
}

/// The config file, or the defaults without one; a bad file is one error line and exit status 1.
func loadConfig(_ path: String?) throws -> HandMeshConfig {
    guard let path else { return HandMeshConfig() }
    do {
        return try ConfigLoader.load(path: path)
    } catch {
        printError("\(error)")
        throw ExitStatus.badConfiguration
    }
}
