/// MANO's joints, in MANO's order.
public enum ManoJoint: Int, Sendable, CaseIterable {
    case wrist = 0, index1, index2, index3, middle1, middle2, middle3, pinky1, pinky2, pinky3,
         ring1, ring2, ring3, thumb1, thumb2, thumb3

    public static let count = 16
    /// MANO's kinematic tree (kintree_table row 0).
    public static let parents = [-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 0, 10, 11, 0, 13, 14]
    public var name: String { "\(self)" }
}

/// The earlier name of `ManoJoint`, kept while Fitting and Render move over. It collides with
/// Records' `HandJoint` (the 21 keypoints) in modules that import both, and since this module shares
/// its name with the `HandModel` class it cannot be qualified there; use `ManoJoint`.
public typealias HandJoint = ManoJoint
