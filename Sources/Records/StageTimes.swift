/// Milliseconds per pipeline stage for one frame, stored inline (no heap allocation per frame).
public struct StageTimes: Sendable, Equatable {
    /// More stages than this are timed as one in the last slot; a pipeline has about four.
    public static let capacity = 8

    private var slots: (Double, Double, Double, Double, Double, Double, Double, Double) = (0, 0, 0, 0, 0, 0, 0, 0)
    public private(set) var count = 0

    public init() {}

    public static func == (lhs: StageTimes, rhs: StageTimes) -> Bool {
        lhs.count == rhs.count && (0..<lhs.count).allSatisfy { lhs[$0] == rhs[$0] }
    }

    public init(_ values: [Double]) {
        for (i, value) in values.enumerated() {
            self[i] = value
        }
    }

    /// Setting slot i extends `count` to i + 1.
    public subscript(index: Int) -> Double {
        get {
            guard index >= 0, index < count else { return 0 }
            return withUnsafeBytes(of: slots) { $0.load(fromByteOffset: index * 8, as: Double.self) }
        }
        set {
            let slot = min(max(index, 0), Self.capacity - 1)
            withUnsafeMutableBytes(of: &slots) { $0.storeBytes(of: newValue, toByteOffset: slot * 8, as: Double.self) }
            count = max(count, slot + 1)
        }
    }
}
