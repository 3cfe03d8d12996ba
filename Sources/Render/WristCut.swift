/// A line across a mask's wrist: pixels whose centres lie beyond it, on the forearm's side, are
/// not hand. A thresholded depth camera or a person segmenter shows the arm with the hand; the hand
/// model ends at the wrist, so the arm must not count as silhouette to cover.
///
/// `none` removes nothing (its direction is zero), so a mask without a cut reads as before at the
/// cost of one multiply-add per hand pixel.
public struct WristCut: Sendable, Equatable {
    /// A point on the line, pixels.
    public var point: SIMD2<Double>
    /// Unit vector across the line, toward the arm; zero for `none`.
    public var towardArm: SIMD2<Double>
    /// `towardArm · point`: pixel centres `c` with `towardArm · c > offset` are arm.
    public let offset: Double

    public init(point: SIMD2<Double>, towardArm: SIMD2<Double>) {
        self.point = point
        self.towardArm = towardArm
        offset = (towardArm * point).sum()
    }

    public static let none = WristCut(point: .zero, towardArm: .zero)

    public var isNone: Bool { towardArm == .zero }

    /// Whether pixel (x, y), whose centre is (x + 0.5, y + 0.5), lies on the arm's side.
    @inline(__always) public func removes(x: Int, y: Int) -> Bool {
        towardArm.x * (Double(x) + 0.5) + towardArm.y * (Double(y) + 0.5) > offset
    }
}
