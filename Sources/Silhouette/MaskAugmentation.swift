import Fitting

/// Imperfections of real masks, applied to rendered silhouettes so the regressor does not rely
/// on a perfect outline: a segmenter's or a depth threshold's boundary sits a pixel or two in or
/// out, is ragged, and the hand has small holes (specular spots, depth drop-outs).
public struct MaskAugmentation: Sendable {
    /// Probability of eroding, and of dilating, the whole mask by one pixel (4-neighbourhood).
    public var erodeProbability = 0.25
    public var dilateProbability = 0.25
    /// Probability that the boundary is made ragged, and then the chance each boundary pixel flips.
    public var raggedProbability = 0.5
    public var raggedFlip = 0.25
    /// Probability of punching 1–3 small holes (radius 1–2 pixels) into the hand.
    public var holesProbability = 0.3

    public init() {}

    /// No imperfections (for measuring on clean silhouettes).
    public static var none: MaskAugmentation {
        var a = MaskAugmentation()
        a.erodeProbability = 0; a.dilateProbability = 0; a.raggedProbability = 0; a.holesProbability = 0
        return a
    }

    /// Applies the imperfections to `mask` (`side` × `side`, 0 or 1) using `scratch` (same size).
    public func apply(_ mask: UnsafeMutableBufferPointer<UInt8>, side: Int, scratch: UnsafeMutableBufferPointer<UInt8>,
                      rng: inout SeededRandom) {
        let u = rng.uniform()
        if u < erodeProbability {
            morph(mask, side: side, scratch: scratch, dilate: false)
        } else if u < erodeProbability + dilateProbability {
            morph(mask, side: side, scratch: scratch, dilate: true)
        }
        if rng.uniform() < raggedProbability {
            for i in 0..<(side * side) { scratch[i] = mask[i] }
            for y in 0..<side {
                for x in 0..<side {
                    let k = y * side + x, v = scratch[k]
                    let boundary = (x > 0 && scratch[k - 1] != v) || (x + 1 < side && scratch[k + 1] != v)
                        || (y > 0 && scratch[k - side] != v) || (y + 1 < side && scratch[k + side] != v)
                    if boundary && rng.uniform() < raggedFlip { mask[k] = 1 - v }
                }
            }
        }
        if rng.uniform() < holesProbability {
            let holes = 1 + Int(rng.uniform() * 3)
            for _ in 0..<holes {
                // A random hand pixel: a few tries at random places.
                for _ in 0..<20 {
                    let cx = Int(rng.uniform() * Double(side)), cy = Int(rng.uniform() * Double(side))
                    guard mask[cy * side + cx] != 0 else { continue }
                    let r = 1 + Int(rng.uniform() * 2)
                    for y in max(0, cy - r)...min(side - 1, cy + r) {
                        for x in max(0, cx - r)...min(side - 1, cx + r) where (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r {
                            mask[y * side + x] = 0
                        }
                    }
                    break
                }
            }
        }
    }

    /// One step of erosion or dilation with the 4-neighbourhood cross.
    func morph(_ mask: UnsafeMutableBufferPointer<UInt8>, side: Int, scratch: UnsafeMutableBufferPointer<UInt8>, dilate: Bool) {
        for i in 0..<(side * side) { scratch[i] = mask[i] }
        let keep: UInt8 = dilate ? 1 : 0
        for y in 0..<side {
            for x in 0..<side {
                let k = y * side + x
                if scratch[k] == keep { continue }
                if (x > 0 && scratch[k - 1] == keep) || (x + 1 < side && scratch[k + 1] == keep)
                    || (y > 0 && scratch[k - side] == keep) || (y + 1 < side && scratch[k + side] == keep) {
                    mask[k] = keep
                }
            }
        }
    }
}
