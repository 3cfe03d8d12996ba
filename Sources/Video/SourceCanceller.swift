/// Cancels one `VideoSource` from any thread, including while it is still opening.
public struct SourceCanceller: Sendable {
    let gate: InterruptGate

    /// A canceller for a source not yet opened; give it to `VideoSource.init`.
    public init() { gate = InterruptGate() }

    init(gate: InterruptGate) { self.gate = gate }

    public func cancel() { gate.cancel() }

    public var isCancelled: Bool { gate.isCancelled }
}
