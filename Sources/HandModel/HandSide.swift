/// Which hand a model describes. The left hand is the right hand mirrored through the plane x = 0
/// (MANO's own convention for MANO_LEFT), so a right-hand pose (ωx, ωy, ωz) per joint gives the
/// mirror image of itself on the left hand as (ωx, −ωy, −ωz): an axial vector flips with a mirror.
public enum HandSide: String, Sendable, CaseIterable, Codable {
    case right, left
}
