import Foundation

/// Hand models in safetensors files, in MANO's layout (what scripts/mano_to_safetensors.py writes):
///
/// | tensor | shape | |
/// | --- | --- | --- |
/// | v_template | V × 3 | rest vertices, metres |
/// | faces | F × 3 | integer or float vertex indices |
/// | weights | V × 16 | skinning weights |
/// | J_regressor | 16 × V | joints from the shaped mesh (MANO) |
/// | joint_template, joint_shapedirs | 16 × 3, 16 × 3 × 10 | joints given directly (built-in); preferred over J_regressor |
/// | shapedirs | V × 3 × S, S ≥ 10 | the first 10 directions are used |
/// | posedirs | V × 3 × 135 | optional pose correctives |
/// | hands_mean | 45 | optional, zero if absent |
/// | hands_components | n × 45 | optional pose PCA |
/// | tip_vertices | 5 | optional fingertip vertices thumb…pinky; MANO's ids if absent (MANO_LEFT's if the metadata says side = left) |
/// | kintree_table | 2 × 16 | optional; must match MANO's parents |
extension HandModelTensors {
    /// Fingertip vertices of MANO's mesh, thumb 745, index 317, middle 444, ring 556, pinky 673: the
    /// tips manopth appends to MANO's 16 joints (github.com/hassony2/manopth, manopth/manolayer.py,
    /// ManoLayer.forward), which hand datasets and models built on MANO use for their 21 joints.
    /// (smplx's vertex_ids["mano"], 744, 320, 443, 554, 671, are neighbours of these.)
    public static let manoTipVertices = [745, 317, 444, 556, 673]
    /// manopth's tips for MANO_LEFT: its middle fingertip is vertex 445.
    public static let manoLeftTipVertices = [745, 317, 445, 556, 673]

    public init(safetensors file: Safetensors, source: String) throws {
        func fail(_ problem: String) -> HandModelError { HandModelError(source, problem) }
        func tensor(_ name: String) throws -> Safetensors.Tensor {
            guard let t = file.tensors[name] else { throw fail("missing tensor \"\(name)\"") }
            return t
        }
        func values(_ name: String, shape expected: [Int?]) throws -> (values: [Double], shape: [Int]) {
            let t = try tensor(name)
            let matches = t.shape.count == expected.count && zip(t.shape, expected).allSatisfy { $1 == nil || $0 == $1 }
            guard matches else {
                let want = expected.map { $0.map(String.init) ?? "n" }.joined(separator: " x ")
                throw fail("tensor \"\(name)\" has shape \(t.shape.map(String.init).joined(separator: " x ")), expected \(want)")
            }
            let v = t.doubles
            guard v.allSatisfy(\.isFinite) else { throw fail("tensor \"\(name)\" holds non-finite values") }
            return (v, t.shape)
        }
        func points(_ v: [Double]) -> [SIMD3<Double>] { stride(from: 0, to: v.count, by: 3).map { SIMD3(v[$0], v[$0 + 1], v[$0 + 2]) } }

        let template = try values("v_template", shape: [nil, 3])
        let v = template.shape[0]
        let faceName = file.tensors["faces"] != nil ? "faces" : "f"
        let faceValues = try values(faceName, shape: [nil, 3]).values
        var faces: [SIMD3<Int32>] = []
        for n in stride(from: 0, to: faceValues.count, by: 3) {
            let f = faceValues[n..<(n + 3)]
            guard f.allSatisfy({ $0 >= 0 && $0 < Double(v) && $0.rounded() == $0 }) else {
                throw fail("tensor \"\(faceName)\" row \(n / 3) holds \(Array(f)), not vertex indices below \(v)")
            }
            faces.append(SIMD3(Int32(f[n]), Int32(f[n + 1]), Int32(f[n + 2])))
        }
        let weights = try values("weights", shape: [v, 16]).values
        let shape = try values("shapedirs", shape: [v, 3, nil])
        let s = shape.shape[2], k = HandParameters.shapeCount
        guard s >= k else { throw fail("tensor \"shapedirs\" has \(s) directions, at least \(k) needed") }
        var shapeDirs = [SIMD3<Double>](repeating: .zero, count: v * k)
        for i in 0..<v {
            for d in 0..<k {
                shapeDirs[i * k + d] = SIMD3(shape.values[(3 * i) * s + d], shape.values[(3 * i + 1) * s + d], shape.values[(3 * i + 2) * s + d])
            }
        }
        let jointTemplate: [SIMD3<Double>], jointShapeDirs: [SIMD3<Double>]
        if file.tensors["joint_template"] != nil {
            jointTemplate = points(try values("joint_template", shape: [16, 3]).values)
            let js = try values("joint_shapedirs", shape: [16, 3, k]).values
            jointShapeDirs = (0..<(16 * k)).map { e in
                let j = e / k, d = e % k
                return SIMD3(js[(3 * j) * k + d], js[(3 * j + 1) * k + d], js[(3 * j + 2) * k + d])
            }
        } else {
            // MANO regresses joints linearly from the shaped mesh, so regressing the template and
            // each shape direction once gives joints for any shape exactly.
            let r = try values("J_regressor", shape: [16, v]).values
            var jt = [SIMD3<Double>](repeating: .zero, count: 16), jd = [SIMD3<Double>](repeating: .zero, count: 16 * k)
            let t = points(template.values)
            for j in 0..<16 {
                for i in 0..<v where r[j * v + i] != 0 {
                    jt[j] += r[j * v + i] * t[i]
                    for d in 0..<k { jd[j * k + d] += r[j * v + i] * shapeDirs[i * k + d] }
                }
            }
            jointTemplate = jt
            jointShapeDirs = jd
        }
        let poseDirs = file.tensors["posedirs"] == nil ? nil : try values("posedirs", shape: [v, 3, 135]).values
        let handsMean = file.tensors["hands_mean"] == nil ? [Double](repeating: 0, count: 45) : try values("hands_mean", shape: [45]).values
        let components = file.tensors["hands_components"] == nil ? nil : try values("hands_components", shape: [nil, 45]).values
        let tips: [Int]
        if file.tensors["tip_vertices"] != nil {
            tips = try values("tip_vertices", shape: [5]).values.map { Int(exactly: $0) ?? -1 }
        } else if v == 778 {
            tips = file.metadata["side"] == HandSide.left.rawValue ? Self.manoLeftTipVertices : Self.manoTipVertices
        } else {
            throw fail("no tensor \"tip_vertices\", and the mesh has \(v) vertices, not MANO's 778")
        }
        if file.tensors["kintree_table"] != nil {
            let tree = try values("kintree_table", shape: [2, 16]).values
            let parents = (0..<16).map { j -> Int in
                let p = tree[j]
                return p < 0 || p > 1e9 ? -1 : Int(p) // MANO stores the root's parent as uint32 max
            }
            guard parents == ManoJoint.parents else { throw fail("kintree_table has parents \(parents), not MANO's \(ManoJoint.parents)") }
        }
        self.init(vTemplate: points(template.values), faces: faces, weights: weights, jointTemplate: jointTemplate,
                  jointShapeDirs: jointShapeDirs, shapeDirs: shapeDirs, poseDirs: poseDirs, handsMean: handsMean,
                  handsComponents: components, tipVertices: tips)
        try validate(source: source)
    }

    /// The arrays as a safetensors file in the layout above (joints given directly).
    public var safetensors: Safetensors {
        let v = vertexCount, k = HandParameters.shapeCount
        func flat(_ p: [SIMD3<Double>]) -> [Double] { p.flatMap { [$0.x, $0.y, $0.z] } }
        /// Point-major, axis, then direction: MANO's V × 3 × k order.
        func directions(_ d: [SIMD3<Double>], points n: Int) -> [Double] {
            (0..<(n * 3 * k)).map { e in d[(e / (3 * k)) * k + e % k][(e / k) % 3] }
        }
        var t: [String: Safetensors.Tensor] = [
            "v_template": .init(doubles: flat(vTemplate), shape: [v, 3]),
            "faces": .init(int32s: faces.flatMap { [$0.x, $0.y, $0.z] }, shape: [faces.count, 3]),
            "weights": .init(doubles: weights, shape: [v, 16]),
            "joint_template": .init(doubles: flat(jointTemplate), shape: [16, 3]),
            "joint_shapedirs": .init(doubles: directions(jointShapeDirs, points: 16), shape: [16, 3, k]),
            "shapedirs": .init(doubles: directions(shapeDirs, points: v), shape: [v, 3, k]),
            "hands_mean": .init(doubles: handsMean, shape: [45]),
            "tip_vertices": .init(int32s: tipVertices.map { Int32($0) }, shape: [5]),
        ]
        if let p = poseDirs { t["posedirs"] = .init(doubles: p, shape: [v, 3, 135]) }
        if let c = handsComponents { t["hands_components"] = .init(doubles: c, shape: [c.count / 45, 45]) }
        return Safetensors(tensors: t, metadata: ["format": "handmesh hand model, MANO layout"])
    }
}

extension HandModel {
    /// Loads a model file (MANO converted by scripts/mano_to_safetensors.py, or an exported built-in).
    /// Use MANO_LEFT's file for `.left`: it is used as given, not mirrored.
    public convenience init(safetensorsAt url: URL, side: HandSide, keypoints: KeypointConvention = .mediaPipe) throws {
        let file = try Safetensors(contentsOf: url)
        try self.init(tensors: HandModelTensors(safetensors: file, source: url.path), side: side, keypoints: keypoints, source: url.path)
    }
}
