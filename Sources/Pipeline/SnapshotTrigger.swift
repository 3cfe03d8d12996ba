import Foundation

/// Asks every snapshot stage that shares it for a picture of its next frame (`handmesh` pulls it on
/// SIGUSR1). Each request bumps a generation; a stage serves a generation once.
public final class SnapshotTrigger: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0

    public init() {}

    public func request() {
        lock.lock()
        current += 1
        lock.unlock()
    }

    /// Requests so far.
    public var generation: Int {
        lock.lock()
        defer { lock.unlock() }
        return current
    }
}
