import HandModel

/// The mirror relation between a right and a left model, written out independently of the
/// library's Mirror: x → −x on positions and translation, (ωx, −ωy, −ωz) on every rotation.
enum MirrorCheck {
    static func mirrored(_ p: HandParameters) -> HandParameters {
        var q = p
        q.globalOrient = SIMD3(p.globalOrient.x, -p.globalOrient.y, -p.globalOrient.z)
        q.pose = p.pose.enumerated().map { $0.offset % 3 == 0 ? $0.element : -$0.element }
        q.transl = SIMD3(-p.transl.x, p.transl.y, p.transl.z)
        return q
    }

    /// Largest distance between the left model's mesh under the mirrored parameters and the mirror
    /// image of the right model's mesh.
    static func largestError(right: HandModel, left: HandModel, parameters p: HandParameters) -> Double {
        zip(right.vertices(p), left.vertices(mirrored(p))).map { a, b in
            let d = SIMD3(-a.x, a.y, a.z) - b
            return (d * d).sum().squareRoot()
        }.max()!
    }
}
