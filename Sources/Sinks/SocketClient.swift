import Dispatch
import Foundation

/// One connection to the socket server and the bytes it has yet to take. Owned by
/// `UnixSocketSink` and touched only under its lock.
final class SocketClient {
    let id: Int
    let fd: Int32
    /// Bytes not yet sent start at `sent`; the buffer is compacted once it empties.
    var pending: [UInt8] = []
    var sent = 0
    /// Whether the last byte that reached the socket ended a line.
    var atLineStart = true
    /// Set once the client is being let go: nothing more is queued, and the connection
    /// closes once the line in progress has gone out.
    var closing = false
    var isClosed = false
    let readSource: DispatchSourceRead
    let writeSource: DispatchSourceWrite
    var writeArmed = false

    init(id: Int, fd: Int32, queue: DispatchQueue, reserve: Int) {
        self.id = id
        self.fd = fd
        pending.reserveCapacity(reserve)
        readSource = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        writeSource = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
        // Both sources watch fd: close it only once both have been cancelled.
        let sourcesCancelled = DispatchGroup()
        sourcesCancelled.enter()
        sourcesCancelled.enter()
        readSource.setCancelHandler { sourcesCancelled.leave() }
        writeSource.setCancelHandler { sourcesCancelled.leave() }
        sourcesCancelled.notify(queue: queue) { _ = Glibc.close(fd) }
    }

    var backlog: Int { pending.count - sent }

    enum SendResult {
        case done
        case wouldBlock
        case gone(Int32)
    }

    /// Sends as much of `pending` as the socket takes without blocking.
    func flush() -> SendResult {
        while sent < pending.count {
            let n = pending.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if n > 0 {
                atLineStart = pending[sent + n - 1] == UInt8(ascii: "\n")
                sent += n
            } else if n < 0, errno == EINTR {
                continue
            } else if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                compactIfWorthIt()
                return .wouldBlock
            } else {
                return .gone(n < 0 ? errno : EPIPE)
            }
        }
        pending.removeAll(keepingCapacity: true)
        sent = 0
        return .done
    }

    /// Sends `line` directly when nothing is queued before it, and queues what the socket did not take.
    func enqueue(_ line: [UInt8]) -> SendResult {
        if backlog == 0 {
            pending.removeAll(keepingCapacity: true)
            sent = 0
            var offset = 0
            while offset < line.count {
                let n = line.withUnsafeBytes { raw in
                    send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                }
                if n > 0 {
                    offset += n
                } else if n < 0, errno == EINTR {
                    continue
                } else if n < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                    break
                } else {
                    return .gone(n < 0 ? errno : EPIPE)
                }
            }
            if offset == line.count {
                atLineStart = true
                return .done
            }
            if offset > 0 {
                atLineStart = false
            }
            pending.append(contentsOf: line[offset...])
            return .wouldBlock
        }
        pending.append(contentsOf: line)
        return .wouldBlock
    }

    /// Keeps only the rest of the line already started, so that what the client has received
    /// ends on a line boundary if it ever reads it; returns false if nothing remains to send.
    func trimToLineInProgress() -> Bool {
        guard !atLineStart, let end = pending[sent...].firstIndex(of: UInt8(ascii: "\n")) else {
            pending.removeAll(keepingCapacity: false)
            sent = 0
            return false
        }
        pending.removeSubrange((end + 1)...)
        return true
    }

    private func compactIfWorthIt() {
        // Shift only when the dead prefix is large, so the cost is amortised over many sends.
        if sent >= 64 * 1024, sent * 2 >= pending.count {
            pending.removeSubrange(0..<sent)
            sent = 0
        }
    }
}
