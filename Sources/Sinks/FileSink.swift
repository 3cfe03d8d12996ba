import Foundation
import Logging
import Records

/// Records to standard output or to a file. Every line goes out in one `write` call (no user-space
/// buffer), so a reader or a crash never sees half a line that was already handed over.
///
/// Files are opened for appending so that a restarted daemon never truncates what it wrote
/// before, reopened on `reopen()` for logrotate, and synced to disk on `close()`. Every file the
/// sink opens starts with the header of each stream still running, so that a rotated file is
/// readable on its own.
///
/// A pipe whose reader went away (EPIPE) is gone for good: the sink says so (`isGone`) and
/// writes nothing more, unless a reopen finds a reader again.
public final class FileSink: RecordSink, @unchecked Sendable {
    public let description: String
    private let path: String?
    private let logger: Logger
    // Guards everything below: several pipelines may write to one sink.
    private let lock = NSLock()
    private var fd: Int32
    private var failed = false
    private var gone = false
    private var closed = false
    /// For the next file `reopen()` opens.
    private var headers = StreamHeaders()

    /// A sink writing to standard output.
    public init(standardOutputWith logger: Logger) {
        description = "ndjson:-"
        path = nil
        fd = STDOUT_FILENO
        self.logger = logger
    }

    /// A sink appending to the file at `path`, created with mode 0644 if missing.
    public init(path: String, logger: Logger) throws {
        description = "ndjson:\(path)"
        self.path = path
        self.logger = logger
        fd = try Self.open(path, description: "ndjson:\(path)")
    }

    private static func open(_ path: String, description: String) throws -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw SinkError(sink: description, message: "cannot open for writing: \(String(cString: strerror(errno)))")
        }
        return fd
    }

    public func write(_ line: [UInt8], kind: RecordKind, stream: String) {
        lock.lock()
        defer { lock.unlock() }
        headers.note(line, kind: kind, stream: stream)
        guard !closed, !gone, fd >= 0 else { return }
        let written = line.withUnsafeBytes { writeAll(fd, $0) }
        if let error = written.error {
            // A partial line would corrupt every reader's parse of the next one: cut it off
            // again where the file allows (regular files), and report the failure once.
            if written.count > 0, path != nil {
                let end = lseek(fd, 0, SEEK_END)
                if end >= written.count {
                    _ = ftruncate(fd, end - off_t(written.count))
                }
            }
            if error == EPIPE {
                gone = true
                logger.error("\(description): write failed: \(String(cString: strerror(error))); the reader is gone, nothing more goes there")
            } else if !failed {
                failed = true
                logger.error("\(description): write failed: \(String(cString: strerror(error))); records are being lost")
            }
        } else if failed {
            failed = false
            logger.notice("\(description): writing again")
        }
    }

    public func reopen() {
        guard let path else { return }
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        do {
            let newFD = try Self.open(path, description: description)
            if fd >= 0 {
                _ = fsync(fd)
                _ = Glibc.close(fd)
            }
            fd = newFD
            gone = false
            for header in headers.lines {
                _ = header.withUnsafeBytes { writeAll(fd, $0) }
            }
            logger.info("\(description): reopened")
        } catch {
            // Keep writing to the old file rather than losing records.
            logger.error("\(error); still writing to the previous file")
        }
    }

    public var isGone: Bool {
        lock.lock()
        defer { lock.unlock() }
        return gone
    }

    public func close() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        // fsync fails harmlessly (EINVAL) on pipes and terminals.
        _ = fsync(fd)
        if path != nil {
            _ = Glibc.close(fd)
        }
        fd = -1
    }
}

/// Writes all of `bytes`, retrying after interrupts and short writes; returns how many bytes
/// went out and the errno that stopped it, if any.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> (count: Int, error: Int32?) {
    var offset = 0
    while offset < bytes.count {
        let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if n > 0 {
            offset += n
        } else if n < 0, errno == EINTR {
            continue
        } else {
            return (offset, n < 0 ? errno : EIO)
        }
    }
    return (offset, nil)
}
