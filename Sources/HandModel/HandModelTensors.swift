/// A hand model's arrays in MANO's layout, in memory. This is what a model file holds and what the
/// template generator produces; `HandModel` is built from it.
///
/// Joints are given directly (`jointTemplate`, `jointShapeDirs`): for a MANO file they are the
/// J_regressor applied to v_template and to shapedirs, which is exact because MANO regresses joints
/// linearly from the shaped, unposed mesh.
public struct HandModelTensors: Sendable, Equatable {
    /// Rest vertices at zero shape, metres (V).
    public var vTemplate: [SIMD3<Double>]
    /// Triangles, counter-clockwise seen from outside.
    public var faces: [SIMD3<Int32>]
    /// Skinning weights, V × 16 row-major; each row sums to one.
    public var weights: [Double]
    /// Rest joints at zero shape (16).
    public var jointTemplate: [SIMD3<Double>]
    /// Joint shape directions, joint j direction k at `j * 10 + k`.
    public var jointShapeDirs: [SIMD3<Double>]
    /// Vertex shape directions, vertex i direction k at `i * 10 + k`.
    public var shapeDirs: [SIMD3<Double>]
    /// Pose correctives, V × 3 × 135 as in MANO's posedirs; nil for models without them.
    public var poseDirs: [Double]?
    /// MANO's hands_mean (45): the relaxed mean pose, a prior's centre. Not added to `pose`.
    public var handsMean: [Double]
    /// MANO's hands_components (rows are PCA directions of the 45 pose values), if the model has them.
    public var handsComponents: [Double]?
    /// Surface vertices used as fingertips: thumb, index, middle, ring, pinky.
    public var tipVertices: [Int]

    public init(vTemplate: [SIMD3<Double>], faces: [SIMD3<Int32>], weights: [Double], jointTemplate: [SIMD3<Double>],
                jointShapeDirs: [SIMD3<Double>], shapeDirs: [SIMD3<Double>], poseDirs: [Double]?, handsMean: [Double],
                handsComponents: [Double]?, tipVertices: [Int]) {
        self.vTemplate = vTemplate
        self.faces = faces
        self.weights = weights
        self.jointTemplate = jointTemplate
        self.jointShapeDirs = jointShapeDirs
        self.shapeDirs = shapeDirs
        self.poseDirs = poseDirs
        self.handsMean = handsMean
        self.handsComponents = handsComponents
        self.tipVertices = tipVertices
    }

    public var vertexCount: Int { vTemplate.count }

    /// Checks every array's size and the index ranges; `source` names the file in the error.
    public func validate(source: String) throws {
        let v = vTemplate.count, j = ManoJoint.count, k = HandParameters.shapeCount
        func need(_ ok: Bool, _ what: @autoclosure () -> String) throws {
            if !ok { throw HandModelError(source, what()) }
        }
        try need(v >= 1, "v_template is empty")
        try need(weights.count == v * j, "weights has \(weights.count) values, expected \(v) x \(j)")
        try need(jointTemplate.count == j, "joint template has \(jointTemplate.count) joints, expected \(j)")
        try need(jointShapeDirs.count == j * k, "joint shape directions have \(jointShapeDirs.count) entries, expected \(j) x \(k)")
        try need(shapeDirs.count == v * k, "shapedirs has \(shapeDirs.count) rows, expected \(v) x \(k)")
        if let p = poseDirs { try need(p.count == v * 3 * 135, "posedirs has \(p.count) values, expected \(v) x 3 x 135") }
        try need(handsMean.count == 45, "hands_mean has \(handsMean.count) values, expected 45")
        if let c = handsComponents { try need(c.count % 45 == 0 && !c.isEmpty, "hands_components has \(c.count) values, not a multiple of 45") }
        try need(tipVertices.count == 5, "fingertip vertex list has \(tipVertices.count) entries, expected 5")
        for t in tipVertices { try need(t >= 0 && t < v, "fingertip vertex \(t) is outside 0..<\(v)") }
        for (n, f) in faces.enumerated() {
            for c in 0..<3 { try need(f[c] >= 0 && Int(f[c]) < v, "face \(n) refers to vertex \(f[c]), outside 0..<\(v)") }
        }
        for x in weights { try need(x.isFinite, "weights contain a non-finite value") }
        for i in 0..<v {
            let s = weights[(i * j)..<(i * j + j)].reduce(0, +)
            try need(abs(s - 1) < 1e-3, "weights of vertex \(i) sum to \(s), not 1")
        }
        for p in vTemplate + jointTemplate + shapeDirs + jointShapeDirs {
            try need(p.x.isFinite && p.y.isFinite && p.z.isFinite, "a template or shape value is not finite")
        }
    }
}
