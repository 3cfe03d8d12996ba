import Dispatch
import Foundation

/// Turns SIGINT, SIGTERM, SIGHUP and SIGUSR1 into calls on a queue instead of process death, so the
/// pipelines can drain. A second SIGINT or SIGTERM while draining exits at once.
///
/// It is made first thing in a command, before the config and the models load: a stop that
/// arrives then is remembered and handed to `whenStopped` once there is something to stop, so
/// that even a run stopped before its first frame writes its header and end records.
final class SignalWatcher: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "handmesh.signals")
    // Guards everything below: the handlers run on `queue`, the setters on the command's thread.
    private let lock = NSLock()
    private var stopSignal: Int32?
    private var onStop: (@Sendable (Int32) -> Void)?
    private var onHangUp: (@Sendable () -> Void)?

    init() {
        for number in [SIGINT, SIGTERM] {
            // Not SIG_IGN first, as is usual with Dispatch: libdispatch installs its own handler
            // from its manager thread a moment after resume(), and a stop that came in between
            // would be thrown away, the run going on as if never told. Until then the default
            // action stands, as it does while the process loads.
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.stop(by: number) }
            source.resume()
            sources.append(source)
        }
        // Nothing else starts before the handlers are in place, so a stop always finds them.
        let deadline = DispatchTime.now() + 2
        while !Self.isCaught(SIGINT) || !Self.isCaught(SIGTERM), DispatchTime.now() < deadline {
            usleep(100)
        }
        // SIGHUP's default action is to terminate; until there are files to reopen it does nothing.
        signal(SIGHUP, SIG_IGN)
        let hangUp = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        hangUp.setEventHandler { [weak self] in
            guard let self else { return }
            lock.lock()
            let action = onHangUp
            lock.unlock()
            action?()
        }
        hangUp.resume()
        sources.append(hangUp)
        // A reader that goes away must show up as a write error, not kill the process.
        signal(SIGPIPE, SIG_IGN)
    }

    convenience init(onStop: @escaping @Sendable (Int32) -> Void, onHangUp: @escaping @Sendable () -> Void,
                     onSnapshot: (@Sendable () -> Void)? = nil) {
        self.init()
        whenHangUp(onHangUp)
        if let onSnapshot { whenSnapshot(onSnapshot) }
        whenStopped(onStop)
    }

    /// Whether a handler (not SIG_DFL, not SIG_IGN) is installed for `number`.
    private static func isCaught(_ number: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(number, nil, &current) == 0 else { return false }
        let handler = unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
        return handler != 0 && handler != 1
    }

    private func stop(by number: Int32) {
        lock.lock()
        let again = stopSignal != nil
        if !again { stopSignal = number }
        let action = onStop
        lock.unlock()
        if again {
            printError("interrupted again while draining; exiting without the end records")
            exit(128 + number)
        }
        action?(number)
    }

    /// Calls `action` on SIGINT or SIGTERM; at once if one came already.
    func whenStopped(_ action: @escaping @Sendable (Int32) -> Void) {
        lock.lock()
        onStop = action
        let already = stopSignal
        lock.unlock()
        if let already { action(already) }
    }

    func whenHangUp(_ action: @escaping @Sendable () -> Void) {
        lock.lock()
        onHangUp = action
        lock.unlock()
    }

    /// Takes SIGUSR1, whose default action is to terminate: only a process that serves snapshots does.
    func whenSnapshot(_ action: @escaping @Sendable () -> Void) {
        signal(SIGUSR1, SIG_IGN)
        let snapshot = DispatchSource.makeSignalSource(signal: SIGUSR1, queue: queue)
        snapshot.setEventHandler { action() }
        snapshot.resume()
        lock.lock()
        sources.append(snapshot)
        lock.unlock()
    }

    func cancel() {
        lock.lock()
        let all = sources
        lock.unlock()
        all.forEach { $0.cancel() }
    }
}
