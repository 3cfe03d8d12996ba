/// Per-track bone lengths beyond the 10 shape directions: each of the 20 bones between a keypoint
/// and its parent keypoint (5 palm rays from the wrist, 15 digit bones) gets a length factor. The
/// landmark network has its own proportions, which the shape space (fitted to scans) cannot reach,
/// so the fit scales the posed keypoints bone by bone (Fitting's `BoneScaling`, with Jacobians):
///
///     k'_0 = k_0,    k'_j = k'_parent(j) + s_j (k_j - k_parent(j))
///
/// The mesh must say the same as the keypoints, so its vertices are stretched with them: a vertex
/// on bone b (parent keypoint p) moves with its parent keypoint and stretches along the bone,
///
///     x' = x + (k'_p - k_p) + (s_b - 1) ((x - k_p) · d) / |d|² d,    d = k_j - k_p,
///
/// which sends k_p to k'_p and k_j to k'_j and keeps the cross-section (a finger gets longer, not
/// thicker). A vertex's bones and their weights come from its skinning weights: a MANO joint skins
/// the bone that leaves it, and the wrist's share is spread over the palm rays by nearness in the
/// rest pose (`BoneLengths.vertexWeights`). Where a keypoint is a surface vertex skinned to one
/// joint (the built-in hand's fingertips), the stretched vertex is that keypoint exactly.
public enum BoneLengths {
    public static let count = 20
    /// MediaPipe's landmark tree: the parent keypoint of keypoints 1...20 (bone b ends at keypoint b + 1).
    public static let parents = [0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11, 0, 13, 14, 15, 0, 17, 18, 19]
    /// The bones that leave the wrist.
    static let palmRays = [0, 4, 8, 12, 16]
    /// The palm rays to the four fingers (the thumb's leaves the wrist at another angle).
    static let fingerPalmRays = [4, 8, 12, 16]
    /// How far a palm vertex's nearness to a ray reaches: the wrist's weight is spread over the rays
    /// as 1 / (distance² + reach²), so a vertex on a ray follows it and one between two follows both.
    /// About half a finger's width: nearer than that, one ray dominates.
    static let palmReach = 0.008

    /// The 20 bones' lengths of 21 keypoints, keypoint to parent.
    public static func lengths(_ keypoints: [SIMD3<Double>]) -> [Double] {
        (1...count).map { j in
            let d = keypoints[j] - keypoints[parents[j - 1]]
            return (d * d).sum().squareRoot()
        }
    }

    /// Scales the bones of `posed` keypoints (21, flat x y z) into `scaled`.
    public static func scale(_ posed: UnsafePointer<Double>, into scaled: UnsafeMutablePointer<Double>,
                             factors: UnsafeBufferPointer<Double>) {
        precondition(factors.count == count, "BoneLengths: \(factors.count) factors, expected \(count)")
        for c in 0..<3 { scaled[c] = posed[c] }
        // Parents come before children in MediaPipe's order.
        for j in 1...20 {
            let p = parents[j - 1], s = factors[j - 1]
            for c in 0..<3 { scaled[3 * j + c] = scaled[3 * p + c] + s * (posed[3 * j + c] - posed[3 * p + c]) }
        }
    }

    /// Each vertex's bones and weights (sparse: `start[v] ..< start[v + 1]` index `bone` and
    /// `weight`), from the model's skinning weights and rest keypoints.
    struct VertexWeights: Sendable {
        var start: [Int] = [0]
        var bone: [Int] = []
        var weight: [Double] = []
    }

    static func vertexWeights(points: SkinnedPoints, restKeypoints: [SIMD3<Double>]) -> VertexWeights {
        // The bone each MANO joint skins: the one leaving its keypoint (KeypointLayout.sources).
        var jointBone = [Int](repeating: -1, count: ManoJoint.count)
        for (n, source) in KeypointLayout.sources.enumerated() where source > 0 { jointBone[source] = n }
        var table = VertexWeights()
        var dense = [Double](repeating: 0, count: count)
        for v in 0..<points.count {
            for b in 0..<count { dense[b] = 0 }
            for i in points.influenceStart[v]..<points.influenceStart[v + 1] {
                let joint = points.influenceJoint[i], w = points.influenceWeight[i]
                if joint != 0 { dense[jointBone[joint]] += w; continue }
                // The wrist's share, over the palm rays by nearness.
                let x = points.rest[v]
                var near = [Double](repeating: 0, count: palmRays.count)
                for (r, b) in palmRays.enumerated() {
                    let a = restKeypoints[0], d = restKeypoints[b + 1] - a
                    let t = min(1, max(0, ((x - a) * d).sum() / (d * d).sum()))
                    let gap = x - (a + t * d)
                    near[r] = 1 / ((gap * gap).sum() + palmReach * palmReach)
                }
                let total = near.reduce(0, +)
                for (r, b) in palmRays.enumerated() { dense[b] += w * near[r] / total }
            }
            for b in 0..<count where dense[b] != 0 {
                table.bone.append(b)
                table.weight.append(dense[b])
            }
            table.start.append(table.bone.count)
        }
        return table
    }
}

extension HandModel {
    /// Stretches posed `vertices` to follow keypoints whose bones were scaled by `factors`:
    /// `posed` are the keypoints before (the model's own, in the vertices' frame) and `scaled`
    /// after (`BoneLengths.scale`), 21 each, flat x y z. Allocates nothing.
    public func stretchBones(_ vertices: UnsafeMutableBufferPointer<SIMD3<Double>>, posed: UnsafePointer<Double>,
                             scaled: UnsafePointer<Double>, factors: UnsafeBufferPointer<Double>) {
        precondition(vertices.count >= vertexCount && factors.count == BoneLengths.count, "stretchBones: sizes")
        let table = vertexBones
        // Per bone b, at 4 b: its parent's move, its parent's posed position, the bone d, and
        // (s - 1) d / |d|², so that a vertex's stretch is ((x - parent) · d) times the last.
        withUnsafeTemporaryAllocation(of: SIMD3<Double>.self, capacity: 4 * BoneLengths.count) { bone in
            for b in 0..<BoneLengths.count {
                let p = BoneLengths.parents[b], j = b + 1
                let from = SIMD3(posed[3 * p], posed[3 * p + 1], posed[3 * p + 2])
                let d = SIMD3(posed[3 * j], posed[3 * j + 1], posed[3 * j + 2]) - from
                let length2 = (d * d).sum()
                bone[4 * b] = SIMD3(scaled[3 * p], scaled[3 * p + 1], scaled[3 * p + 2]) - from
                bone[4 * b + 1] = from
                bone[4 * b + 2] = d
                bone[4 * b + 3] = length2 > 0 ? (factors[b] - 1) / length2 * d : .zero
            }
            for v in 0..<vertexCount {
                let x = vertices[v]
                var moved = x
                for i in table.start[v]..<table.start[v + 1] {
                    let b = table.bone[i]
                    let along = ((x - bone[4 * b + 1]) * bone[4 * b + 2]).sum()
                    moved += table.weight[i] * (bone[4 * b] + along * bone[4 * b + 3])
                }
                vertices[v] = moved
            }
        }
    }

    /// Convenience for tools and tests: the keypoints at `p` with their bones scaled by `factors`
    /// (20, `BoneLengths`), as a track's fit carries them.
    public func keypoints(_ p: HandParameters, boneFactors factors: [Double]) -> [SIMD3<Double>] {
        let posed = keypoints(p).flatMap { [$0.x, $0.y, $0.z] }
        var scaled = [Double](repeating: 0, count: posed.count)
        posed.withUnsafeBufferPointer { k in
            factors.withUnsafeBufferPointer { f in scaled.withUnsafeMutableBufferPointer { BoneLengths.scale(k.baseAddress!, into: $0.baseAddress!, factors: f) } }
        }
        return (0..<Self.keypointCount).map { SIMD3(scaled[3 * $0], scaled[3 * $0 + 1], scaled[3 * $0 + 2]) }
    }

    /// Convenience for tools and tests: the vertices at `p` with the bones scaled by `factors`.
    public func vertices(_ p: HandParameters, boneFactors factors: [Double]) -> [SIMD3<Double>] {
        var out = [SIMD3<Double>](repeating: .zero, count: vertexCount)
        factors.withUnsafeBufferPointer { f in
            out.withUnsafeMutableBufferPointer { vertices(p, boneFactors: f, into: $0, workspace: HandModelWorkspace(model: self)) }
        }
        return out
    }

    /// All vertices of the hand at `p` with its bones scaled by `factors` (20, `BoneLengths`).
    public func vertices(_ p: HandParameters, boneFactors factors: UnsafeBufferPointer<Double>,
                         into out: UnsafeMutableBufferPointer<SIMD3<Double>>, workspace: HandModelWorkspace) {
        vertices(p, into: out, jacobian: nil, workspace: workspace)
        guard factors.contains(where: { $0 != 1 }) else { return }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * 63) { k in
            let posed = k.baseAddress!, scaled = k.baseAddress! + 63
            keypoints(p, into: UnsafeMutableBufferPointer(start: workspace.keypointScratch, count: 21), jacobian: nil, workspace: workspace)
            for j in 0..<21 { for c in 0..<3 { posed[3 * j + c] = workspace.keypointScratch[j][c] } }
            BoneLengths.scale(posed, into: scaled, factors: factors)
            stretchBones(out, posed: posed, scaled: scaled, factors: factors)
        }
    }
}

extension HandModel {
    /// Each vertex's weight on each bone (V × 20, row-major), as `stretchBones` uses them: for
    /// export, so that a reader can stretch the mesh as HandMesh does.
    public var vertexBoneWeights: [Double] {
        var dense = [Double](repeating: 0, count: vertexCount * BoneLengths.count)
        for v in 0..<vertexCount {
            for i in vertexBones.start[v]..<vertexBones.start[v + 1] { dense[v * BoneLengths.count + vertexBones.bone[i]] = vertexBones.weight[i] }
        }
        return dense
    }
}
