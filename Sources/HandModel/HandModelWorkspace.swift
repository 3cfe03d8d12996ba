/// Preallocated buffers for the forward pass, so that a call allocates nothing. One per pipeline
/// (or thread): it is mutable scratch space and deliberately not Sendable.
public final class HandModelWorkspace {
    /// Shaped rest joints J(β).
    let restJoint: UnsafeMutablePointer<SIMD3<Double>>
    /// Local rotation of each joint and its left Jacobian.
    let localRotation: UnsafeMutablePointer<Mat3>
    let leftJacobian: UnsafeMutablePointer<Mat3>
    /// World rotation and posed position of each joint (before translation).
    let worldRotation: UnsafeMutablePointer<Mat3>
    let posedJoint: UnsafeMutablePointer<SIMD3<Double>>
    /// World angular velocity of joint q's component c: index 3q + c.
    let angularVelocity: UnsafeMutablePointer<SIMD3<Double>>
    /// ∂(posed joint j)/∂β_k at j * 10 + k.
    let posedJointShape: UnsafeMutablePointer<SIMD3<Double>>
    /// MANO's pose feature (R_j − I for joints 1…15, row-major) and its derivatives ∂R_j/∂ω_c,
    /// 9 values row-major at (3(j−1) + c) · 9, to dot with posedirs rows.
    let poseFeature: UnsafeMutablePointer<Double>
    let poseFeatureDerivative: UnsafeMutablePointer<Double>
    /// Per-point sums over each joint's subtree: Σ w y and Σ w.
    let subtreePoint: UnsafeMutablePointer<SIMD3<Double>>
    let subtreeWeight: UnsafeMutablePointer<Double>
    /// Scratch for finite-difference peers and callers needing parameter vectors.
    let parameterScratch: UnsafeMutablePointer<Double>
    /// Posed keypoints for callers that stretch the mesh's bones (`vertices(_:boneFactors:…)`).
    let keypointScratch: UnsafeMutablePointer<SIMD3<Double>>

    public init(model: HandModel) {
        _ = model // one workspace fits every model: MANO's joint count is fixed
        restJoint = .allocate(capacity: 16)
        localRotation = .allocate(capacity: 16)
        leftJacobian = .allocate(capacity: 16)
        worldRotation = .allocate(capacity: 16)
        posedJoint = .allocate(capacity: 16)
        angularVelocity = .allocate(capacity: 48)
        posedJointShape = .allocate(capacity: 16 * HandParameters.shapeCount)
        poseFeature = .allocate(capacity: 135)
        poseFeatureDerivative = .allocate(capacity: 45 * 9)
        subtreePoint = .allocate(capacity: 16)
        subtreeWeight = .allocate(capacity: 16)
        parameterScratch = .allocate(capacity: HandParameters.count)
        keypointScratch = .allocate(capacity: 21)
    }

    deinit {
        restJoint.deallocate()
        localRotation.deallocate()
        leftJacobian.deallocate()
        worldRotation.deallocate()
        posedJoint.deallocate()
        angularVelocity.deallocate()
        posedJointShape.deallocate()
        poseFeature.deallocate()
        poseFeatureDerivative.deallocate()
        subtreePoint.deallocate()
        subtreeWeight.deallocate()
        parameterScratch.deallocate()
        keypointScratch.deallocate()
    }
}
