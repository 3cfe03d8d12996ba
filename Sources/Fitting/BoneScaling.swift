import HandModel

/// Per-track bone-length freedom beyond the model's 10 shape directions: each of the 20 bones
/// between a keypoint and its parent keypoint (5 palm rays from the wrist, 15 digit bones) gets a
/// length factor, applied along the kinematic chain so that a bone's change carries everything
/// beyond it:
///
///     k'_0 = k_0,    k'_j = k'_parent(j) + s_j (k_j - k_parent(j))
///
/// The evidence's landmark model has its own proportions, which the shape space (fitted to scans)
/// cannot reach; a prototype on real MediaPipe evidence measured per-track bone lengths as the
/// largest single gain (shared notes, fitting-lessons.md). Bones are scaled in the posed keypoints,
/// so the factor needs no joint frame and its derivative is the posed bone itself.
///
/// A workspace: it owns its buffers and applying allocates nothing.
public final class BoneScaling {
    public static let boneCount = BoneLengths.count
    public static let parents = BoneLengths.parents

    /// The factors, bone b ending at keypoint b + 1. All ones leaves the keypoints untouched.
    let factors: UnsafeMutablePointer<Double>
    public private(set) var isIdentity = true
    let rawKeypoints: UnsafeMutablePointer<Double>
    let rawJacobian: UnsafeMutablePointer<Double>
    /// d k' / d s (63 x 20, row-major) of the last application.
    let factorJacobian: UnsafeMutablePointer<Double>

    public init() {
        factors = .allocate(capacity: Self.boneCount)
        factors.initialize(repeating: 1, count: Self.boneCount)
        rawKeypoints = .allocate(capacity: 63)
        rawKeypoints.initialize(repeating: 0, count: 63)
        rawJacobian = .allocate(capacity: 63 * 61)
        factorJacobian = .allocate(capacity: 63 * Self.boneCount)
        factorJacobian.initialize(repeating: 0, count: 63 * Self.boneCount)
    }

    deinit {
        factors.deallocate(); rawKeypoints.deallocate(); rawJacobian.deallocate(); factorJacobian.deallocate()
    }

    public func set(_ s: UnsafeBufferPointer<Double>) {
        precondition(s.count == Self.boneCount, "BoneScaling: \(s.count) factors, expected \(Self.boneCount)")
        var identity = true
        for b in 0..<Self.boneCount { factors[b] = s[b]; if s[b] != 1 { identity = false } }
        isIdentity = identity
    }

    public func setIdentity() {
        for b in 0..<Self.boneCount { factors[b] = 1 }
        isIdentity = true
    }

    public var values: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: factors, count: Self.boneCount) }

    /// Scales the bones of `keypoints` (63) in place and, when given, their Jacobian (63 x
    /// `columns`) to match; also fills `factorJacobian`. Runs even at the identity, since the
    /// factors' derivative is needed there too.
    func apply(keypoints kp: UnsafeMutablePointer<Double>, jacobian: UnsafeMutablePointer<Double>?, columns: Int) {
        let n = Self.boneCount
        for t in 0..<63 { rawKeypoints[t] = kp[t] }
        BoneLengths.scale(rawKeypoints, into: kp, factors: values)
        if let jacobian { for t in 0..<(63 * columns) { rawJacobian[t] = jacobian[t] } }
        for t in 0..<(3 * n) { factorJacobian[t] = 0 }  // the wrist does not move
        // The derivatives follow the same chain: a keypoint moves with its parent, plus its bone.
        for j in 1...20 {
            let p = Self.parents[j - 1], s = factors[j - 1]
            for c in 0..<3 {
                let bone = rawKeypoints[3 * j + c] - rawKeypoints[3 * p + c]
                let fj = factorJacobian + (3 * j + c) * n, fp = factorJacobian + (3 * p + c) * n
                for b in 0..<n { fj[b] = fp[b] }
                fj[j - 1] = bone
                if let jacobian {
                    let out = jacobian + (3 * j + c) * columns, parent = jacobian + (3 * p + c) * columns
                    let rj = rawJacobian + (3 * j + c) * columns, rp = rawJacobian + (3 * p + c) * columns
                    for k in 0..<columns { out[k] = parent[k] + s * (rj[k] - rp[k]) }
                }
            }
        }
    }
}
