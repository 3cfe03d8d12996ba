import Dispatch
import Foundation

/// Turns SIGINT, SIGTERM, SIGHUP and SIGUSR1 into calls on a queue instead of process death, so the
/// pipelines can drain. A second SIGINT or SIGTERM while draining exits at once.
final class SignalWatcher: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "handmesh.signals")
    private let lock = NSLock()
    private var stopping = false

    init(onStop: @escaping @Sendable (Int32) -> Void, onHangUp: @escaping @Sendable () -> Void,
         onSnapshot: (@Sendable () -> Void)? = nil) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in
                guard let self else { return }
                lock.lock()
                let again = stopping
                stopping = true
                lock.unlock()
                if again {
                    printError("interrupted again while draining; exiting without the end records")
                    exit(128 + number)
                }
                onStop(number)
            }
            source.resume()
            sources.append(source)
        }
        signal(SIGHUP, SIG_IGN)
        let hangUp = DispatchSource.makeSignalSource(signal: SIGHUP, queue: queue)
        hangUp.setEventHandler { onHangUp() }
        hangUp.resume()
        sources.append(hangUp)
        if let onSnapshot {
            // SIGUSR1's default action is to terminate; only a process that serves snapshots takes it.
            signal(SIGUSR1, SIG_IGN)
            let snapshot = DispatchSource.makeSignalSource(signal: SIGUSR1, queue: queue)
            snapshot.setEventHandler { onSnapshot() }
            snapshot.resume()
            sources.append(snapshot)
        }
        // A reader that goes away must show up as a write error, not kill the process.
        signal(SIGPIPE, SIG_IGN)
    }

    func cancel() {
        sources.forEach { $0.cancel() }
    }
}
