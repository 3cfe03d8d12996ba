import Foundation

/// A fixed-capacity FIFO between two pipeline stages. `push` blocks while it is full, which is
/// how a slow stage slows the reader of a file (backpressure); `pop` blocks while it is empty.
/// The ring is allocated once, so passing items costs no allocation. Each queue has one producer
/// and one consumer, which never wait at the same time (one waits on full, the other on empty),
/// so one condition serves both, and it is signalled only when a waiter can exist.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var ring: [Element?]
    private var head = 0
    private var count = 0

    init(capacity: Int) {
        ring = Array(repeating: nil, count: max(capacity, 1))
    }

    func push(_ element: Element) {
        condition.lock()
        while count == ring.count {
            condition.wait()
        }
        ring[(head + count) % ring.count] = element
        count += 1
        if count == 1 { condition.signal() }
        condition.unlock()
    }

    func pop() -> Element {
        condition.lock()
        while count == 0 {
            condition.wait()
        }
        let element = ring[head].take()!
        head = (head + 1) % ring.count
        count -= 1
        if count == ring.count - 1 { condition.signal() }
        condition.unlock()
        return element
    }
}
