/// The 61 numbers that pose and shape a hand, in MANO's layout.
///
/// - `globalOrient`: axis-angle (radians) of the root (wrist) joint, rotating about the wrist joint.
/// - `pose`: 15 × 3 axis-angle rotations, joints 1…15 in MANO's order, each relative to its parent
///   and expressed in the rest (template) frame. Zero is the flat template hand (MANO's
///   `flat_hand_mean=True`); add `HandModel.meanPose` yourself to use MANO's relaxed mean.
/// - `shape`: 10 coefficients; each moves joints and surface together (see `HandModel.shapeNames`).
/// - `transl`: metres, added after the root rotation.
///
/// Flat parameter vectors (and Jacobian columns) use the order globalOrient 3, pose 45, shape 10,
/// transl 3.
public struct HandParameters: Sendable, Equatable, Codable {
    public static let poseCount = 45
    public static let shapeCount = 10
    public static let count = 61
    public static let globalOrientOffset = 0
    public static let poseOffset = 3
    public static let shapeOffset = 48
    public static let translOffset = 58

    public var globalOrient: SIMD3<Double>
    public var pose: [Double]
    public var shape: [Double]
    public var transl: SIMD3<Double>

    public init(globalOrient: SIMD3<Double> = .zero,
                pose: [Double] = Array(repeating: 0, count: HandParameters.poseCount),
                shape: [Double] = Array(repeating: 0, count: HandParameters.shapeCount),
                transl: SIMD3<Double> = .zero) {
        precondition(pose.count == Self.poseCount, "pose needs \(Self.poseCount) values, got \(pose.count)")
        precondition(shape.count == Self.shapeCount, "shape needs \(Self.shapeCount) values, got \(shape.count)")
        self.globalOrient = globalOrient
        self.pose = pose
        self.shape = shape
        self.transl = transl
    }

    private enum CodingKeys: String, CodingKey { case globalOrient, pose, shape, transl }

    /// Decoding checks the counts: parameters from a file are input, and a short pose must be an
    /// error here rather than an index out of range in the forward pass.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let pose = try c.decode([Double].self, forKey: .pose)
        let shape = try c.decode([Double].self, forKey: .shape)
        guard pose.count == Self.poseCount else {
            throw DecodingError.dataCorruptedError(forKey: .pose, in: c, debugDescription: "pose has \(pose.count) values, expected \(Self.poseCount)")
        }
        guard shape.count == Self.shapeCount else {
            throw DecodingError.dataCorruptedError(forKey: .shape, in: c, debugDescription: "shape has \(shape.count) values, expected \(Self.shapeCount)")
        }
        self.init(globalOrient: try c.decode(SIMD3<Double>.self, forKey: .globalOrient), pose: pose, shape: shape,
                  transl: try c.decode(SIMD3<Double>.self, forKey: .transl))
    }

    /// The flat template hand at the origin with mean shape.
    public static var rest: HandParameters { HandParameters() }

    /// Builds parameters from a flat vector of 61 values in the documented order.
    public init<C: Collection>(vector v: C) where C.Element == Double, C.Index == Int {
        precondition(v.count == Self.count, "a parameter vector has \(Self.count) values, got \(v.count)")
        let s = v.startIndex
        globalOrient = SIMD3(v[s], v[s + 1], v[s + 2])
        pose = Array(v[(s + Self.poseOffset)..<(s + Self.shapeOffset)])
        shape = Array(v[(s + Self.shapeOffset)..<(s + Self.translOffset)])
        transl = SIMD3(v[s + 58], v[s + 59], v[s + 60])
    }

    /// The 61 values in the documented order.
    public var vector: [Double] {
        var v = [globalOrient.x, globalOrient.y, globalOrient.z]
        v += pose
        v += shape
        v += [transl.x, transl.y, transl.z]
        return v
    }

    /// Axis-angle of joint `j` (0 = root, 1…15 = pose joints).
    @inlinable public func rotation(ofJoint j: Int) -> SIMD3<Double> {
        if j == 0 { return globalOrient }
        let b = 3 * (j - 1)
        return SIMD3(pose[b], pose[b + 1], pose[b + 2])
    }
}
