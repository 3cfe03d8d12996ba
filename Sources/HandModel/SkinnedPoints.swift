/// Points that follow the skeleton by linear blend skinning: the mesh vertices, and the keypoints.
/// Both go through the same forward pass, so a keypoint that is a surface vertex (a fingertip) moves
/// exactly like that vertex, pose correctives included.
struct SkinnedPoints: Sendable {
    var count: Int
    /// Rest position of each point at zero shape.
    var rest: [SIMD3<Double>]
    /// Shape directions, point i direction k at `i * 10 + k`.
    var shapeDirs: [SIMD3<Double>]
    /// Pose-corrective directions in MANO's order, `(3 * i + c) * 135 + f`; nil when the model has none.
    var poseDirs: [Double]?
    /// Sparse skinning weights: point i uses entries influenceStart[i] ..< influenceStart[i + 1].
    var influenceStart: [Int]
    var influenceJoint: [Int]
    var influenceWeight: [Double]
    /// Whether point i has any non-zero pose corrective; keypoints on joints have none, so the
    /// keypoint pass of a MANO model skips their 405 multiply-adds.
    var hasPoseDirs: [Bool]

    /// Keeps only non-zero weights: dense 16-joint rows are mostly zeros, and skipping them is what
    /// makes the vertex pass cheap.
    init(rest: [SIMD3<Double>], shapeDirs: [SIMD3<Double>], poseDirs: [Double]?, denseWeights: [Double], jointCount: Int) {
        count = rest.count
        self.rest = rest
        self.shapeDirs = shapeDirs
        self.poseDirs = poseDirs
        influenceStart = [0]
        influenceJoint = []
        influenceWeight = []
        hasPoseDirs = (0..<rest.count).map { i in poseDirs.map { p in p[(i * 405)..<(i * 405 + 405)].contains { $0 != 0 } } ?? false }
        for i in 0..<count {
            for j in 0..<jointCount where denseWeights[i * jointCount + j] != 0 {
                influenceJoint.append(j)
                influenceWeight.append(denseWeights[i * jointCount + j])
            }
            influenceStart.append(influenceJoint.count)
        }
    }
}
