import Dispatch
import Foundation
import Logging
import Records

/// A stream-socket server that sends every record to every connected client.
///
/// A client receives the header of each running stream as it connects, then every record from
/// then on. Writes never block the pipeline: each client has a bounded backlog, and a client
/// that falls further behind than `SinkOptions.clientBufferBytes` is disconnected (logged and
/// counted) so that it cannot stall the others.
public final class UnixSocketSink: RecordSink, @unchecked Sendable {
    public let description: String
    public let path: String
    private let options: SinkOptions
    private let logger: Logger
    private let queue: DispatchQueue
    private let listenFD: Int32
    private let acceptSource: DispatchSourceRead
    /// Identifies the socket file this server created, so close() removes only its own.
    private let socketInode: ino_t

    // Guards everything below; taken by the writing pipelines and by the Dispatch handlers.
    private let lock = NSLock()
    private var clients: [Int: SocketClient] = [:]
    private var nextClientID = 0
    private var headers = StreamHeaders()
    private var closed = false
    private var counters = Counters()
    private var acceptBackoff = AcceptBackoff()

    public struct Counters: Sendable, Equatable {
        public var accepted = 0
        /// Clients disconnected for falling too far behind.
        public var slowDisconnects = 0
        /// Clients that hung up or whose connection broke.
        public var hangups = 0
        /// Clients closed on arrival because `SinkOptions.maxClients` were connected.
        public var refused = 0
    }

    public var counts: Counters {
        lock.lock()
        defer { lock.unlock() }
        return counters
    }

    public var connectedClients: Int {
        lock.lock()
        defer { lock.unlock() }
        return clients.count
    }

    public init(path: String, options: SinkOptions, logger: Logger) throws {
        let description = "unix:\(path)"
        self.description = description
        self.path = path
        self.options = options
        self.logger = logger
        let (fd, inode) = try UnixListener.listen(path: path, mode: mode_t(options.socketMode), description: description)
        listenFD = fd
        socketInode = inode
        queue = DispatchQueue(label: "handmesh.sink.\(path)")
        acceptSource = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        acceptSource.setEventHandler { [weak self] in self?.acceptClients() }
        acceptSource.setCancelHandler { _ = Glibc.close(fd) }
        acceptSource.resume()
    }

    private func acceptClients() {
        while true {
            // accept4 is a GNU extension Glibc's module does not export; set the flags after.
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                let error = errno
                if error == EINTR || error == ECONNABORTED { continue }
                if error != EAGAIN && error != EWOULDBLOCK {
                    pauseAccepting(after: error)
                }
                return
            }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            lock.lock()
            defer { lock.unlock() }
            guard !closed else {
                _ = Glibc.close(fd)
                return
            }
            if let episode = acceptBackoff.succeeded() {
                logger.notice("\(description): accepting again after \(episode.failures) failed accept(s) in \(episode.seconds) s")
            }
            guard clients.count < options.maxClients else {
                // Closing at once frees the descriptor again; one line per run of refusals.
                _ = Glibc.close(fd)
                counters.refused += 1
                if acceptBackoff.refused() {
                    logger.warning("\(description): \(options.maxClients) clients connected (max_clients); refusing more until one leaves")
                }
                continue
            }
            if let refused = acceptBackoff.admitted() {
                logger.notice("\(description): accepting clients again; refused \(refused) while full")
            }
            nextClientID += 1
            let client = SocketClient(id: nextClientID, fd: fd, queue: queue,
                                      reserve: min(options.clientBufferBytes, 64 * 1024))
            clients[client.id] = client
            counters.accepted += 1
            let id = client.id
            client.readSource.setEventHandler { [weak self] in self?.drainInput(of: id) }
            client.writeSource.setEventHandler { [weak self] in self?.flush(id) }
            client.readSource.resume()
            logger.info("\(description): client \(id) connected (\(clients.count) connected)")
            for header in headers.lines {
                send(header, to: client)
            }
        }
    }

    /// Out of descriptors (or memory), accept fails at once for every waiting connection, and
    /// retrying at once would spin: stop watching the socket for a while, longer each time, and
    /// log once when it starts (the summary comes with the first accept that works again).
    private func pauseAccepting(after error: Int32) {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        let delay = acceptBackoff.failed()
        if acceptBackoff.episodeFailures == 1 {
            logger.warning("\(description): accept failed: \(String(cString: strerror(error))); pausing accepts, retrying from \(AcceptBackoff.initialDelay) s up to every \(AcceptBackoff.maxDelay) s")
        }
        acceptSource.suspend()
        acceptBackoff.paused = true
        queue.asyncAfter(deadline: .now() + delay) { [weak self] in
            guard let self else { return }
            lock.lock()
            defer { lock.unlock() }
            // close() resumes a paused source itself, so that its cancellation is delivered.
            guard acceptBackoff.paused, !closed else { return }
            acceptBackoff.paused = false
            acceptSource.resume()
        }
    }

    public func write(_ line: [UInt8], kind: RecordKind, stream: String) {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        headers.note(line, kind: kind, stream: stream)
        for client in clients.values {
            send(line, to: client)
        }
    }

    /// Called with the lock held.
    private func send(_ line: [UInt8], to client: SocketClient) {
        guard !client.closing else { return }
        // A client that has taken everything keeps up, whatever the size of the next line.
        if client.backlog > 0, client.backlog + line.count > options.clientBufferBytes {
            counters.slowDisconnects += 1
            logger.warning("\(description): client \(client.id) disconnected: it fell more than \(options.clientBufferBytes) bytes behind")
            letGo(client)
            return
        }
        switch client.enqueue(line) {
        case .done:
            break
        case .wouldBlock:
            arm(client)
        case .gone(let error):
            hungUp(client, error)
        }
    }

    /// Stops queueing for `client`; it closes as soon as the line in progress is out, or after
    /// the grace period if it does not read.
    private func letGo(_ client: SocketClient) {
        client.closing = true
        guard client.trimToLineInProgress() else {
            closeClient(client)
            return
        }
        arm(client)
        let id = client.id
        queue.asyncAfter(deadline: .now() + options.closeGraceSeconds) { [weak self] in
            guard let self else { return }
            lock.lock()
            defer { lock.unlock() }
            if let client = clients[id] {
                closeClient(client)
            }
        }
    }

    private func arm(_ client: SocketClient) {
        if !client.writeArmed {
            client.writeArmed = true
            client.writeSource.resume()
        }
    }

    private func flush(_ id: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard let client = clients[id] else { return }
        switch client.flush() {
        case .done:
            if client.closing {
                closeClient(client)
            } else if client.writeArmed {
                client.writeArmed = false
                client.writeSource.suspend()
            }
        case .wouldBlock:
            break
        case .gone(let error):
            hungUp(client, error)
        }
    }

    /// Reads and discards whatever a client sends, and notices when it hangs up.
    private func drainInput(of id: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard let client = clients[id] else { return }
        var scratch = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        let n = withUnsafeMutableBytes(of: &scratch) { recv(client.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if n == 0 {
            hungUp(client, nil)
        } else if n < 0, errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
            hungUp(client, errno)
        }
    }

    private func hungUp(_ client: SocketClient, _ error: Int32?) {
        counters.hangups += 1
        let why = error.map { String(cString: strerror($0)) } ?? "hung up"
        logger.info("\(description): client \(client.id) disconnected: \(why)")
        closeClient(client)
    }

    private func closeClient(_ client: SocketClient) {
        guard !client.isClosed else { return }
        client.isClosed = true
        clients[client.id] = nil
        client.readSource.cancel()
        client.writeSource.cancel()
        // A suspended source never delivers its cancellation; resume it so the fd gets closed.
        if !client.writeArmed {
            client.writeArmed = true
            client.writeSource.resume()
        }
    }

    /// Gives connected clients up to the grace period to take what is queued (the end
    /// record, usually), then closes them and removes the socket file.
    public func close() {
        lock.lock()
        guard !closed else {
            lock.unlock()
            return
        }
        closed = true
        acceptSource.cancel()
        // A suspended source never delivers its cancellation, which closes the listening socket.
        if acceptBackoff.paused {
            acceptBackoff.paused = false
            acceptSource.resume()
        }
        lock.unlock()

        let deadline = DispatchTime.now() + options.closeGraceSeconds
        while DispatchTime.now() < deadline {
            lock.lock()
            let waiting = clients.values.contains { $0.backlog > 0 }
            lock.unlock()
            if !waiting { break }
            usleep(5_000)
        }
        lock.lock()
        for client in Array(clients.values) {
            closeClient(client)
        }
        lock.unlock()
        var info = stat()
        if lstat(path, &info) == 0, info.st_ino == socketInode {
            unlink(path)
        }
    }
}
