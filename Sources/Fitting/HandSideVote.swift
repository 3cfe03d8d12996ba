import Foundation
import HandModel

/// Which hand a track shows, in the image's own geometry (a mirrored image shows a right hand as a
/// left one), decided from evidence accumulated over the track rather than from any one frame.
///
/// The votes are log-odds for "right" (positive) against "left":
/// - the hand's 3D shape: which side of the palm the thumb lies on (`thumbSide`). MediaPipe's world
///   landmarks are metric and in the camera's axes, so their chirality is the image's. Measured one
///   frame at a time: right on 84–99% of the stereo clip's frames and their mirror images (wrong in
///   runs of up to 25 frames where the hand is edge-on), on 579 of 583 real photos (issue 12);
/// - the landmark network's handedness label: right on 99.6% of those frames, but on renders of the
///   open hand (no nails or knuckles) on 54–94% a clip, and often wrong where the shape is too;
/// - on a new track that the first two leave unsure, which side's model fits the evidence better
///   (`fitVote`): the right side had the lower cost on 94% of a set of real photos.
///
/// Per-frame votes are bounded and the sum is capped, so a track that started on the wrong side
/// can still come round, and it changes side only after its total crosses the other way by
/// `switchMargin`: several frames' worth, never one frame's word.
public struct HandSideVote: Sendable, Equatable {
    /// Sum of the votes so far (positive: right).
    public private(set) var logOdds: Double = 0
    /// The side the track is fitted with; nil until the first vote.
    public private(set) var side: HandSide?

    /// The largest vote of the thumb cue in one frame, and its softness (thumb offsets in palm
    /// widths), and the most the network's label counts in one frame. Chosen on every third frame of
    /// both stereo views and their mirror images, each as a photo: one frame's votes name the side
    /// of 99.4% of them, with a mean stated probability of 0.97 (shape 3 and network 1.5 named
    /// 92.7% and claimed 0.96); tracks of the four views keep one side on every frame either way.
    static let shapeWeight = 2.0
    static let shapeSoftness = 0.3
    static let networkWeight = 3.0
    /// How far the sum may run, so that a long run of one side can still be overturned.
    static let cap = 60.0
    /// How far past zero the sum must go before a track changes side.
    public static let switchMargin = 8.0
    /// Below this a new track's side is unsure (about 95%): fit both and let the costs vote.
    public static let sureLogOdds = 3.0
    /// A cost comparison's vote at most: log(0.94 / 0.06), from the photos above.
    static let fitWeight = 2.75

    public init() {}

    /// The probability that `side` is right: below 0.5 while the votes lean the other way but have
    /// not yet crossed `switchMargin`.
    public var probability: Double {
        guard let side else { return 0.5 }
        let l = side == .right ? logOdds : -logOdds
        return 1 / (1 + exp(-l))
    }

    /// Whether the track's side is settled enough to fit one side only.
    public var isSure: Bool { abs(logOdds) >= Self.sureLogOdds }

    /// One frame's vote from its world landmarks (21, metres, camera axes; nil: none) and the
    /// network's probability that the image shows a right hand (nil: no label).
    public static func frameVote(world: UnsafeBufferPointer<SIMD3<Double>>?, networkRightProbability: Double?) -> Double {
        var vote = 0.0
        if let world, let offset = thumbSide(world) {
            vote += shapeWeight * tanh(offset / shapeSoftness)
        }
        if let p = networkRightProbability, p.isFinite {
            let q = min(max(p, 1e-6), 1 - 1e-6)
            vote += min(max(log(q / (1 - q)), -networkWeight), networkWeight)
        }
        return vote
    }

    /// The vote of fitting both sides: the log of the cost ratio, bounded by `fitWeight`.
    public static func fitVote(rightCost: Double, leftCost: Double) -> Double {
        guard rightCost.isFinite, leftCost.isFinite, rightCost > 0, leftCost > 0 else {
            return rightCost.isFinite && !leftCost.isFinite ? fitWeight : (leftCost.isFinite && !rightCost.isFinite ? -fitWeight : 0)
        }
        return min(max(log(leftCost / rightCost), -fitWeight), fitWeight)
    }

    /// The thumb's offset from the palm plane in palm widths: positive for a right hand's geometry.
    /// The palm plane is spanned by wrist → index MCP and wrist → little-finger MCP; the thumb's
    /// CMC, MCP and IP joints lie on the palmar side of it in any pose a hand can take, and which
    /// way that is relative to the two spanning rays is what tells a right hand from its mirror
    /// image. nil when the palm is degenerate.
    public static func thumbSide(_ w: UnsafeBufferPointer<SIMD3<Double>>) -> Double? {
        let wrist = w[0]
        let index = w[5] - wrist, little = w[17] - wrist
        let normal = SIMD3(index.y * little.z - index.z * little.y,
                           index.z * little.x - index.x * little.z,
                           index.x * little.y - index.y * little.x)
        let normalLength = (normal * normal).sum().squareRoot()
        let d = w[5] - w[17]
        let palmWidth = (d * d).sum().squareRoot()
        guard normalLength > 1e-12, palmWidth > 1e-6, normalLength.isFinite else { return nil }
        // Right hand (x right, y down, z away; palm to the camera, fingers up): index → little
        // crosses to −z, toward the camera, where the palmar thumb lies.
        var offset = 0.0
        for j in 1...3 { offset += ((w[j] - wrist) * normal).sum() }
        return offset / (3 * normalLength * palmWidth)
    }

    /// Adds a vote; the first vote also picks the side.
    public mutating func add(_ vote: Double) {
        guard vote.isFinite else { return }
        logOdds = min(max(logOdds + vote, -Self.cap), Self.cap)
        if side == nil { side = logOdds >= 0 ? .right : .left }
    }

    /// The side the evidence now asks for: the current one unless the sum crossed the margin.
    /// Returns true when the side changed.
    public mutating func settle() -> Bool {
        switch side {
        case .right where logOdds < -Self.switchMargin: side = .left; return true
        case .left where logOdds > Self.switchMargin: side = .right; return true
        case nil: side = logOdds >= 0 ? .right : .left; return false
        default: return false
        }
    }

    /// Decides a new track's side outright (after fitting both).
    public mutating func decide(_ chosen: HandSide) { side = chosen }
}
