/// The forward function the refinement fits: 61 parameters (HandParameters' flat order) to the
/// 21 keypoints in the camera frame, with the analytic Jacobian when asked.
public protocol KeypointFunction {
    /// Writes the 63 keypoint coordinates (x y z per keypoint, metres) into `keypoints`; when
    /// `jacobian` is non-nil, also d keypoints / d parameters, 63 x 61 row-major.
    mutating func evaluate(_ parameters: UnsafeBufferPointer<Double>,
                           keypoints: UnsafeMutableBufferPointer<Double>,
                           jacobian: UnsafeMutableBufferPointer<Double>?)
}
