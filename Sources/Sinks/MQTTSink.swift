import Dispatch
import Foundation
import Logging
import Records

/// Publishes every record to an MQTT broker, one message each, in order, at QoS 1; a header is
/// also retained, so that a subscriber joining mid-stream gets it first.
///
/// The pipeline never waits on the broker: `write` only queues into a bounded buffer
/// (`MQTTOutbox`) and wakes the sink's network thread, which connects, publishes and reconnects
/// with the stream's backoff. While the broker is away records wait in the buffer; what overflows
/// is dropped, logged once per run and counted per stream (the end record's `output_dropped`).
public final class MQTTSink: RecordSink, @unchecked Sendable {
    public let description: String
    private let address: MQTTAddress
    private let options: SinkOptions
    private let credentials: MQTTCredentials?
    private let logger: Logger
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let finished = DispatchSemaphore(value: 0)

    // Guards everything below; taken by the writing pipelines and the network thread.
    private let lock = NSLock()
    private var outbox: MQTTOutbox
    private var counters = Counters()
    private var closing = false
    private var closeDeadline: UInt64 = .max
    /// The network thread is in poll() and needs a byte on the pipe to notice new records.
    private var sleeping = false
    private var wakePending = false

    public struct Counters: Sendable, Equatable {
        public var connected = false
        /// Connections made after the first.
        public var reconnects = 0
        public var published = 0
        public var acknowledged = 0
        public var dropped = 0
        /// Records waiting or unacknowledged now.
        public var queued = 0
    }

    public var counts: Counters {
        lock.lock()
        defer { lock.unlock() }
        var counts = counters
        counts.queued = outbox.depth
        counts.dropped = outbox.totalDropped
        return counts
    }

    public init(address: MQTTAddress, options: SinkOptions, logger: Logger) throws {
        description = address.description
        self.address = address
        self.options = options
        self.logger = logger
        credentials = try options.mqttCredentialsFile.map { try MQTTCredentials(file: $0, sink: address.description) }
        if let caFile = options.mqttCAFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw SinkError(sink: address.description, message: "the CA file \(caFile) cannot be read")
        }
        outbox = MQTTOutbox(capacityBytes: options.mqttBufferBytes)
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw SinkError(sink: address.description, message: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        // A handle made here fails here on a bad CA file or TLS set-up: at open, not later.
        _ = try MQTTClient(credentials: credentials, tls: address.tls, caFile: options.mqttCAFile, sink: description)
        let thread = Thread { [self] in
            runNetwork()
            finished.signal()
        }
        thread.name = "handmesh.mqtt"
        thread.start()
    }

    deinit {
        _ = Glibc.close(wakeRead)
        _ = Glibc.close(wakeWrite)
    }

    public func write(_ line: [UInt8], kind: RecordKind, stream: String) {
        let payload = line.last == UInt8(ascii: "\n") ? Array(line.dropLast()) : line
        lock.lock()
        guard !closing else {
            lock.unlock()
            return
        }
        let fitted = outbox.enqueue(.init(payload: payload, retain: kind == .header, stream: stream))
        var endedRun = 0
        if fitted {
            endedRun = outbox.endDropRun()
        }
        let startedRun = !fitted && outbox.droppedInRun == 1
        let wake = fitted && sleeping && !wakePending
        if wake { wakePending = true }
        lock.unlock()
        if startedRun {
            logger.warning("\(description): buffer full (mqtt_buffer_bytes = \(options.mqttBufferBytes)); dropping records until the broker takes some")
        }
        if endedRun > 0 {
            logger.warning("\(description): dropped \(endedRun) record(s) while the buffer was full")
        }
        if wake { self.wake() }
    }

    /// Records of `stream` dropped because the buffer was full.
    public func dropped(stream: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return outbox.dropped[stream] ?? 0
    }

    /// Gives the broker up to the grace period (longer while it keeps acknowledging) to take what
    /// is buffered, then disconnects.
    public func close() {
        lock.lock()
        guard !closing else {
            lock.unlock()
            return
        }
        closing = true
        closeDeadline = Self.now() + UInt64(options.closeGraceSeconds * 1e9)
        lock.unlock()
        wake()
        // A connect() that hangs on an unreachable host must not hold the process: wait a bounded time.
        _ = finished.wait(timeout: .now() + options.closeGraceSeconds + 5)
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)
    }

    private func drainWakes() {
        var scratch = [UInt8](repeating: 0, count: 64)
        while Glibc.read(wakeRead, &scratch, scratch.count) > 0 {}
    }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Closing, and either everything is out or the grace period is over.
    private var shouldStop: Bool {
        lock.lock()
        defer { lock.unlock() }
        return closing && (outbox.isEmpty || Self.now() >= closeDeadline)
    }

    // MARK: The network thread

    private enum Outcome {
        case lost(String)
        case closed
    }

    private func runNetwork() {
        var failures = 0
        var everConnected = false
        while !shouldStop {
            if failures > 0 {
                let delay = min(options.reconnectMaxDelay, options.reconnectInitialDelay * pow(2, Double(min(failures - 1, 30))))
                sleep(seconds: delay)
                if shouldStop { break }
            }
            let outcome: Outcome
            do {
                let client = try MQTTClient(credentials: credentials, tls: address.tls, caFile: options.mqttCAFile, sink: description)
                let code = client.connect(host: address.host, port: address.port, keepalive: 30)
                if code != 0 {
                    outcome = .lost("cannot connect: \(MQTTClient.describe(code))")
                } else {
                    outcome = serve(client, reconnect: everConnected, connected: { everConnected = true; failures = 0 })
                }
            } catch {
                outcome = .lost("\(error)")
            }
            lock.lock()
            outbox.requeueUnacknowledged()
            let wasConnected = counters.connected
            counters.connected = false
            let queued = outbox.depth
            lock.unlock()
            guard case .lost(let reason) = outcome else { break }
            failures += 1
            if wasConnected || failures == 1 {
                logger.warning("\(description): \(reason); \(queued) record(s) buffered; reconnecting")
            } else {
                logger.debug("\(description): attempt \(failures): \(reason)")
            }
        }
        lock.lock()
        let lost = outbox.discardAll()
        lock.unlock()
        if lost > 0 {
            logger.error("\(description): closed with \(lost) record(s) the broker never acknowledged")
        }
    }

    /// Waits `seconds`, or less if the sink closes meanwhile.
    private func sleep(seconds: Double) {
        let until = Self.now() + UInt64(seconds * 1e9)
        while true {
            lock.lock()
            let deadline = closing ? min(until, closeDeadline) : until
            lock.unlock()
            let now = Self.now()
            guard now < deadline else { return }
            var fd = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
            _ = poll(&fd, 1, Int32(min(1000, (deadline - now) / 1_000_000 + 1)))
            drainWakes()
            if shouldStop { return }
        }
    }

    private func serve(_ client: MQTTClient, reconnect: Bool, connected: () -> Void) -> Outcome {
        var up = false
        // A broker that accepts TCP but never answers CONNECT counts as gone.
        let connectDeadline = Self.now() + 10_000_000_000
        while true {
            for event in client.takeEvents() {
                switch event {
                case .connected(let code):
                    guard code == 0 else { return .lost("the broker refused the connection: \(MQTTClient.describeRefusal(code))") }
                    up = true
                    connected()
                    lock.lock()
                    counters.connected = true
                    if reconnect { counters.reconnects += 1 }
                    let queued = outbox.depth
                    lock.unlock()
                    logger.notice("\(description): \(reconnect ? "reconnected" : "connected")\(queued > 0 ? "; sending \(queued) buffered record(s)" : "")")
                case .published(let id):
                    lock.lock()
                    outbox.acknowledge(id)
                    counters.acknowledged += 1
                    // A broker that keeps taking records gets the time it needs to take the rest.
                    if closing { closeDeadline = max(closeDeadline, Self.now() + UInt64(options.closeGraceSeconds * 1e9)) }
                    lock.unlock()
                case .disconnected(let code):
                    return .lost("disconnected: \(MQTTClient.describe(code))")
                }
            }
            if up, let failure = publishWaiting(client) {
                return .lost(failure)
            }
            lock.lock()
            let stopNow = closing && (outbox.isEmpty || Self.now() >= closeDeadline)
            let busy = up && outbox.hasWaiting
            sleeping = !stopNow && !busy
            wakePending = false
            lock.unlock()
            if stopNow {
                client.disconnect()
                return .closed
            }
            if !up, Self.now() > connectDeadline { return .lost("no answer to CONNECT within 10 s") }
            let code = client.step(wakeFD: wakeRead, milliseconds: busy ? 0 : closingPoll)
            lock.lock()
            sleeping = false
            lock.unlock()
            drainWakes()
            if code != 0 { return .lost("connection lost: \(MQTTClient.describe(code))") }
        }
    }

    /// Short polls while closing, so the grace period is kept to.
    private var closingPoll: Int32 {
        lock.lock()
        defer { lock.unlock() }
        return closing ? 50 : 1000
    }

    /// Hands every waiting record to the library; returns why the connection failed, if it did.
    private func publishWaiting(_ client: MQTTClient) -> String? {
        while true {
            lock.lock()
            let next = outbox.next()
            lock.unlock()
            guard let message = next else { return nil }
            let (code, id) = client.publish(message.payload, topic: address.topic, retain: message.retain)
            lock.lock()
            if code == 0 {
                outbox.sent(message, id: id)
                counters.published += 1
                lock.unlock()
                continue
            }
            // Kept among the unacknowledged, it goes out first again on the next connection.
            outbox.sent(message, id: -1)
            lock.unlock()
            return "publish failed: \(MQTTClient.describe(code))"
        }
    }
}
