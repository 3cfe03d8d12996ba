/// The MQTT sink's bounded buffer: records waiting for the broker and records handed to it but
/// not yet acknowledged (PUBACK), both counted against one byte budget. What does not fit is
/// dropped at once and counted per stream, so that the pipeline never waits on the broker.
///
/// Unacknowledged records are kept until their PUBACK: when a connection breaks, they go back to
/// the front of the queue, in order, and are published again on the next one (at least once,
/// QoS 1's promise; a record the broker took just before it went away may arrive twice).
public struct MQTTOutbox: Sendable {
    public struct Message: Sendable, Equatable {
        public var payload: [UInt8]
        public var retain: Bool
        public var stream: String

        public init(payload: [UInt8], retain: Bool, stream: String) {
            self.payload = payload
            self.retain = retain
            self.stream = stream
        }
    }

    public let capacityBytes: Int
    /// Bytes of every record waiting or unacknowledged.
    public private(set) var bytes = 0
    /// Records dropped because the buffer was full, per stream.
    public private(set) var dropped: [String: Int] = [:]
    /// Records dropped since the last one that fitted: a run of drops is logged once.
    public private(set) var droppedInRun = 0

    private var waiting: [Message] = []
    private var head = 0
    private var unacknowledged: [(id: Int32, message: Message)] = []

    public init(capacityBytes: Int) {
        self.capacityBytes = capacityBytes
    }

    /// Records waiting to be published plus those awaiting their PUBACK.
    public var depth: Int { waiting.count - head + unacknowledged.count }
    public var isEmpty: Bool { depth == 0 }
    public var hasWaiting: Bool { head < waiting.count }
    public var totalDropped: Int { dropped.values.reduce(0, +) }

    /// Queues `message`, or drops and counts it when it does not fit; false when dropped.
    public mutating func enqueue(_ message: Message) -> Bool {
        guard bytes + message.payload.count <= capacityBytes else {
            dropped[message.stream, default: 0] += 1
            droppedInRun += 1
            return false
        }
        bytes += message.payload.count
        waiting.append(message)
        return true
    }

    /// Ends a run of drops; returns its length (0 when there was none).
    public mutating func endDropRun() -> Int {
        defer { droppedInRun = 0 }
        return droppedInRun
    }

    /// Takes the oldest waiting record to publish; it stays counted until `acknowledge`.
    public mutating func next() -> Message? {
        guard head < waiting.count else { return nil }
        let message = waiting[head]
        head += 1
        // Compacting only once half the array is spent keeps next() O(1) amortized.
        if head > 1024, head * 2 > waiting.count {
            waiting.removeFirst(head)
            head = 0
        }
        return message
    }

    /// Notes that `message` went out as message id `id` and awaits its PUBACK.
    public mutating func sent(_ message: Message, id: Int32) {
        unacknowledged.append((id, message))
    }

    /// The broker has `id`: it leaves the buffer.
    public mutating func acknowledge(_ id: Int32) {
        guard let i = unacknowledged.firstIndex(where: { $0.id == id }) else { return }
        bytes -= unacknowledged[i].message.payload.count
        unacknowledged.remove(at: i)
    }

    /// The connection broke: what it did not acknowledge goes first on the next one, in order.
    public mutating func requeueUnacknowledged() {
        guard !unacknowledged.isEmpty else { return }
        waiting = unacknowledged.map(\.message) + waiting[head...]
        head = 0
        unacknowledged.removeAll()
    }

    /// Empties the buffer (the sink closes without a broker); returns how many records were lost.
    public mutating func discardAll() -> Int {
        let lost = depth
        waiting.removeAll()
        head = 0
        unacknowledged.removeAll()
        bytes = 0
        return lost
    }
}
