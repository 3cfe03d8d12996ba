/// A hand shape written in anatomical angles (degrees): per finger MCP, PIP and DIP flexion and MCP
/// abduction; for the thumb CMC flexion and abduction, MCP and IP flexion. Synthetic clips blend
/// between these; the values stay inside the hand model's joint limits (AAOS ranges).
public struct HandGesture: Sendable, Equatable {
    /// Index, middle, ring, pinky: (mcp, pip, dip, abduction).
    public var fingers: [SIMD4<Double>]
    /// (cmc flexion, cmc abduction, mcp flexion, ip flexion).
    public var thumb: SIMD4<Double>
    public var name: String

    public init(_ name: String, fingers: [SIMD4<Double>], thumb: SIMD4<Double>) {
        precondition(fingers.count == 4, "HandGesture needs four fingers")
        self.name = name
        self.fingers = fingers
        self.thumb = thumb
    }

    public static let open = HandGesture("open", fingers: [
        SIMD4(2, 3, 2, 10), SIMD4(0, 3, 2, 0), SIMD4(2, 4, 2, -8), SIMD4(4, 5, 3, -16),
    ], thumb: SIMD4(-5, 15, 5, 5))
    public static let relaxed = HandGesture("relaxed", fingers: [
        SIMD4(18, 22, 12, 5), SIMD4(22, 28, 15, 0), SIMD4(26, 32, 18, -5), SIMD4(30, 36, 20, -10),
    ], thumb: SIMD4(5, 10, 12, 12))
    public static let fist = HandGesture("fist", fingers: [
        SIMD4(80, 100, 55, 0), SIMD4(82, 102, 55, 0), SIMD4(84, 102, 55, 0), SIMD4(86, 100, 55, 0),
    ], thumb: SIMD4(30, -25, 40, 45))
    public static let pinch = HandGesture("pinch", fingers: [
        SIMD4(40, 45, 20, 0), SIMD4(30, 35, 20, 0), SIMD4(35, 40, 25, -5), SIMD4(40, 45, 25, -10),
    ], thumb: SIMD4(25, -15, 20, 15))
    public static let point = HandGesture("point", fingers: [
        SIMD4(2, 4, 2, 3), SIMD4(85, 100, 55, 0), SIMD4(85, 100, 55, 0), SIMD4(85, 98, 55, 0),
    ], thumb: SIMD4(30, -25, 40, 40))
    public static let thumbsUp = HandGesture("thumbs-up", fingers: [
        SIMD4(82, 100, 55, 0), SIMD4(84, 102, 55, 0), SIMD4(85, 102, 55, 0), SIMD4(86, 100, 55, 0),
    ], thumb: SIMD4(-10, 20, 0, 0))

    /// Index and middle straight and spread, ring and pinky curled under the thumb.
    public static let victory = HandGesture("victory", fingers: [
        SIMD4(2, 4, 2, 12), SIMD4(0, 3, 2, -10), SIMD4(84, 102, 55, 0), SIMD4(86, 100, 55, 0),
    ], thumb: SIMD4(30, -25, 40, 40))
    /// Thumb and index tips touching in a ring (tip vertices 8 mm apart on the built-in hand), the other three open.
    public static let ok = HandGesture("ok", fingers: [
        SIMD4(60, 30, 35, 0), SIMD4(2, 3, 2, -2), SIMD4(4, 4, 2, -10), SIMD4(6, 5, 3, -18),
    ], thumb: SIMD4(30, -15, 10, 10))

    public static let all: [HandGesture] = [.open, .relaxed, .fist, .pinch, .point, .thumbsUp, .victory, .ok]

    /// Componentwise blend: `t` = 0 is `self`, 1 is `other`; it keeps the name of the nearer one.
    public func blended(with other: HandGesture, _ t: Double) -> HandGesture {
        HandGesture(t < 0.5 ? name : other.name,
                    fingers: zip(fingers, other.fingers).map { $0 + t * ($1 - $0) },
                    thumb: thumb + t * (other.thumb - thumb))
    }

    /// (flexion, abduction) radians for MANO's 15 pose joints: index 1–3, middle 4–6, pinky 7–9,
    /// ring 10–12, thumb 13–15.
    public var jointAngles: [SIMD2<Double>] {
        let rad = Double.pi / 180
        var a: [SIMD2<Double>] = []
        // MANO's finger order: index, middle, pinky, ring.
        for f in [fingers[0], fingers[1], fingers[3], fingers[2]] {
            a.append(SIMD2(f.x, f.w) * rad)
            a.append(SIMD2(f.y, 0) * rad)
            a.append(SIMD2(f.z, 0) * rad)
        }
        a.append(SIMD2(thumb.x, thumb.y) * rad)
        a.append(SIMD2(thumb.z, 0) * rad)
        a.append(SIMD2(thumb.w, 0) * rad)
        return a
    }
}
