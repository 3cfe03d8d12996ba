/// Linear-blend-skinning weights for the built-in hand: each vertex starts fully bound to its
/// nearest bone segment, then the weights diffuse over the mesh (averaging with edge neighbours),
/// which blends them smoothly across each joint along the surface while keeping neighbouring
/// fingers apart (diffusion follows the skin, not straight lines between fingers).
enum SkinningWeights {
    static let diffusionSteps = 6
    /// Weights below this are dropped (then rows renormalised) so vertices keep few influences.
    static let floor = 0.01

    static func compute(vertices: [SIMD3<Double>], skeleton k: Skeleton, neighbours: [[Int]]) -> [Double] {
        let j = k.joints
        var bones: [(joint: Int, a: SIMD3<Double>, b: SIMD3<Double>)] = [(0, SIMD3(-0.03, 0, 0), k.metacarpalBases[1])]
        for f in 0..<4 {
            let ids = Skeleton.fingerJoints[f]
            bones.append((0, k.metacarpalBases[f], j[ids[0]]))
            bones.append((ids[0], j[ids[0]], j[ids[1]]))
            bones.append((ids[1], j[ids[1]], j[ids[2]]))
            bones.append((ids[2], j[ids[2]], k.tips[f + 1]))
        }
        bones.append((13, j[13], j[14]))
        bones.append((14, j[14], j[15]))
        bones.append((15, j[15], k.tips[0]))
        let n = ManoJoint.count
        var w = [Double](repeating: 0, count: vertices.count * n)
        for (i, v) in vertices.enumerated() {
            var best = 0, bestDistance = Double.infinity
            for (b, bone) in bones.enumerated() {
                let ab = bone.b - bone.a
                let h = min(max(dot(v - bone.a, ab) / dot(ab, ab), 0), 1)
                let off = v - (bone.a + h * ab)
                let d = dot(off, off)
                if d < bestDistance { bestDistance = d; best = b }
            }
            w[i * n + bones[best].joint] = 1
        }
        for _ in 0..<diffusionSteps {
            var next = w
            for i in 0..<vertices.count {
                for c in 0..<n {
                    var s = w[i * n + c]
                    for m in neighbours[i] { s += w[m * n + c] }
                    next[i * n + c] = s / Double(neighbours[i].count + 1)
                }
            }
            w = next
        }
        for i in 0..<vertices.count {
            var total = 0.0
            for c in 0..<n {
                if w[i * n + c] < floor { w[i * n + c] = 0 }
                total += w[i * n + c]
            }
            for c in 0..<n { w[i * n + c] /= total }
        }
        return w
    }
}
