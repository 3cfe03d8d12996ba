import Foundation

/// A fixed-capacity FIFO between two pipeline stages. `push` blocks while it is full, which is
/// how a slow stage slows the reader of a file (backpressure); `pop` blocks while it is empty.
/// The ring is allocated once, so passing items costs no allocation.
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
        condition.broadcast()
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
        condition.broadcast()
        condition.unlock()
        return element
    }
}
