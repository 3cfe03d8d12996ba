/// The items a stage with a lookahead holds: its frames and the records among them, oldest first,
/// in a ring that grows only if records pile up between frames.
struct HeldItems {
    private var ring: [PipelineItem?]
    private var first = 0
    private(set) var count = 0
    /// How many of the held items are frames.
    private(set) var frames = 0

    init(capacity: Int) {
        ring = [PipelineItem?](repeating: nil, count: max(capacity + 2, 4))
    }

    var isEmpty: Bool { count == 0 }

    mutating func append(_ item: PipelineItem) {
        if count == ring.count {
            // Unroll into a ring twice the size (records between frames: rare).
            var grown = [PipelineItem?](repeating: nil, count: 2 * ring.count)
            for i in 0..<count { grown[i] = ring[(first + i) % ring.count] }
            ring = grown
            first = 0
        }
        ring[(first + count) % ring.count] = item
        count += 1
        if case .work = item { frames += 1 }
    }

    mutating func popFirst() -> PipelineItem? {
        guard count > 0, let item = ring[first] else { return nil }
        ring[first] = nil
        first = (first + 1) % ring.count
        count -= 1
        if case .work = item { frames -= 1 }
        return item
    }
}
