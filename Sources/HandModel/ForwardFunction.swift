extension HandModel {
    /// The 21 keypoints (metres, model frame plus `transl`) in MediaPipe's order. If `jacobian` is
    /// given it receives ∂keypoints/∂parameters, 63 × 61 row-major: row 3k + axis, column in the
    /// order globalOrient 3, pose 45, shape 10, transl 3. Allocates nothing.
    public func keypoints(_ p: HandParameters, into out: UnsafeMutableBufferPointer<SIMD3<Double>>,
                          jacobian: UnsafeMutableBufferPointer<Double>?, workspace: HandModelWorkspace) {
        forward(p, points: keypointPoints, into: out, jacobian: jacobian, workspace: workspace)
    }

    /// All `vertexCount` vertices; `jacobian`, if given, is (3 V) × 61 row-major like `keypoints`.
    /// `jacobianRows`, if given, limits the Jacobian to the vertices flagged true (a silhouette's
    /// outline, say); the other vertices' rows are left as they were.
    public func vertices(_ p: HandParameters, into out: UnsafeMutableBufferPointer<SIMD3<Double>>,
                         jacobian: UnsafeMutableBufferPointer<Double>?, jacobianRows: UnsafeBufferPointer<Bool>? = nil,
                         workspace: HandModelWorkspace) {
        precondition(jacobianRows.map { $0.count >= vertexPoints.count } ?? true, "jacobianRows needs a flag per vertex")
        forward(p, points: vertexPoints, into: out, jacobian: jacobian, jacobianRows: jacobianRows, workspace: workspace)
    }

    /// MANO's 16 posed joints, in MANO's order.
    public func joints(_ p: HandParameters, into out: UnsafeMutableBufferPointer<SIMD3<Double>>, workspace ws: HandModelWorkspace) {
        precondition(out.count >= ManoJoint.count, "joints needs room for \(ManoJoint.count) points")
        forward(p, points: keypointPoints, into: nil, jacobian: nil, workspace: ws)
        for j in 0..<ManoJoint.count { out[j] = ws.posedJoint[j] + p.transl }
    }

    /// Convenience for tools and tests: allocates its own workspace and result.
    public func keypoints(_ p: HandParameters) -> [SIMD3<Double>] {
        var out = [SIMD3<Double>](repeating: .zero, count: Self.keypointCount)
        out.withUnsafeMutableBufferPointer { keypoints(p, into: $0, jacobian: nil, workspace: HandModelWorkspace(model: self)) }
        return out
    }

    /// Convenience for tools and tests: allocates its own workspace and result.
    public func vertices(_ p: HandParameters) -> [SIMD3<Double>] {
        var out = [SIMD3<Double>](repeating: .zero, count: vertexCount)
        out.withUnsafeMutableBufferPointer { vertices(p, into: $0, jacobian: nil, workspace: HandModelWorkspace(model: self)) }
        return out
    }

    /// The whole forward pass, top to bottom: shaped joints, local rotations, the kinematic chain,
    /// then linear blend skinning of each point with its Jacobian columns.
    ///
    /// Jacobian of a skinned point v = Σ_j w_j (R_j (s − J_j) + p_j) + t:
    /// - rotation value c of joint q turns everything below q about the posed joint p_q with world
    ///   angular velocity a = R_parent(q) J_l(ω_q) e_c, so ∂v = a × (Σ_{j under q} w_j y_j − W_q p_q);
    ///   pose correctives add (Σ_j w_j R_j) ∂s;
    /// - shape k moves the rest point and the joints: ∂v = Σ_j w_j (R_j (∂s − ∂J_j) + ∂p_j);
    /// - translation is the identity.
    func forward(_ p: HandParameters, points: SkinnedPoints, into out: UnsafeMutableBufferPointer<SIMD3<Double>>?,
                 jacobian: UnsafeMutableBufferPointer<Double>?, jacobianRows: UnsafeBufferPointer<Bool>? = nil,
                 workspace ws: HandModelWorkspace) {
        let shapeCount = HandParameters.shapeCount, columns = HandParameters.count, features = 135
        let parents = ManoJoint.parents
        let wantJacobian = jacobian != nil
        if let jac = jacobian {
            precondition(jac.count >= points.count * 3 * columns, "the Jacobian needs \(points.count * 3) x \(columns) values")
        }
        let beta = p.shape

        // 1. Shaped rest joints J(β).
        for j in 0..<ManoJoint.count {
            var r = jointTemplate[j]
            for k in 0..<shapeCount { r += beta[k] * jointShapeDirs[j * shapeCount + k] }
            ws.restJoint[j] = r
        }
        // 2. Local rotations.
        for j in 0..<ManoJoint.count {
            let (r, jl) = rodrigues(p.rotation(ofJoint: j))
            ws.localRotation[j] = r
            ws.leftJacobian[j] = jl
        }
        // 3. Down the kinematic tree (parents precede children in MANO's order).
        for j in 0..<ManoJoint.count {
            let parent = parents[j]
            let parentRotation = parent < 0 ? Mat3.identity : ws.worldRotation[parent]
            ws.worldRotation[j] = parentRotation * ws.localRotation[j]
            ws.posedJoint[j] = parent < 0 ? ws.restJoint[j]
                : ws.posedJoint[parent] + parentRotation * (ws.restJoint[j] - ws.restJoint[parent])
            guard wantJacobian else { continue }
            let jl = ws.leftJacobian[j]
            ws.angularVelocity[3 * j] = parentRotation * jl.c0
            ws.angularVelocity[3 * j + 1] = parentRotation * jl.c1
            ws.angularVelocity[3 * j + 2] = parentRotation * jl.c2
            for k in 0..<shapeCount {
                let dJ = jointShapeDirs[j * shapeCount + k]
                ws.posedJointShape[j * shapeCount + k] = parent < 0 ? dJ
                    : ws.posedJointShape[parent * shapeCount + k] + parentRotation * (dJ - jointShapeDirs[parent * shapeCount + k])
            }
        }
        guard let out else { return }
        precondition(out.count >= points.count, "the output needs room for \(points.count) points")
        // 4. MANO's pose feature: (R_j − I) of joints 1…15, row-major, and its derivatives.
        let correctives = points.poseDirs
        if correctives != nil {
            for j in 1..<ManoJoint.count {
                let r = ws.localRotation[j]
                for row in 0..<3 {
                    for col in 0..<3 { ws.poseFeature[9 * (j - 1) + 3 * row + col] = r.at(row, col) - (row == col ? 1 : 0) }
                }
                if wantJacobian {
                    let jl = ws.leftJacobian[j]
                    for c in 0..<3 {
                        let d = Mat3.skew(c == 0 ? jl.c0 : c == 1 ? jl.c1 : jl.c2) * r
                        for row in 0..<3 {
                            for col in 0..<3 { ws.poseFeatureDerivative[(3 * (j - 1) + c) * 9 + 3 * row + col] = d.at(row, col) }
                        }
                    }
                }
            }
        }
        // 5. Skin each point.
        for i in 0..<points.count {
            var s = points.rest[i]
            for k in 0..<shapeCount { s += beta[k] * points.shapeDirs[i * shapeCount + k] }
            if let pd = correctives, points.hasPoseDirs[i] {
                pd.withUnsafeBufferPointer { buffer in
                    let row = buffer.baseAddress! + 3 * i * features
                    for c in 0..<3 { s[c] += dotProduct(row + c * features, ws.poseFeature, features) }
                }
            }
            let rowWanted = wantJacobian && (jacobianRows?[i] ?? true)
            if rowWanted {
                for q in 0..<ManoJoint.count { ws.subtreePoint[q] = .zero; ws.subtreeWeight[q] = 0 }
            }
            var v = SIMD3<Double>.zero
            let range = points.influenceStart[i]..<points.influenceStart[i + 1]
            for e in range {
                let j = points.influenceJoint[e], w = points.influenceWeight[e]
                let y = ws.worldRotation[j] * (s - ws.restJoint[j]) + ws.posedJoint[j]
                v += w * y
                guard rowWanted else { continue }
                var q = j
                while q >= 0 {
                    ws.subtreePoint[q] += w * y
                    ws.subtreeWeight[q] += w
                    q = parents[q]
                }
            }
            out[i] = v + p.transl
            guard let jac = jacobian, rowWanted else { continue }

            let row = 3 * i * columns
            for e in row..<(row + 3 * columns) { jac[e] = 0 }
            func add(_ d: SIMD3<Double>, _ column: Int) {
                jac[row + column] += d.x
                jac[row + columns + column] += d.y
                jac[row + 2 * columns + column] += d.z
            }
            // Rotations: column 3q + c is joint q's value c (q = 0 is globalOrient).
            for q in 0..<ManoJoint.count where ws.subtreeWeight[q] != 0 {
                let arm = ws.subtreePoint[q] - ws.subtreeWeight[q] * ws.posedJoint[q]
                for c in 0..<3 { add(cross(ws.angularVelocity[3 * q + c], arm), 3 * q + c) }
            }
            if let pd = correctives, points.hasPoseDirs[i] {
                var blended = Mat3(.zero, .zero, .zero)
                for e in range { blended = blended + points.influenceWeight[e] * ws.worldRotation[points.influenceJoint[e]] }
                pd.withUnsafeBufferPointer { buffer in
                    let point = buffer.baseAddress! + 3 * i * features
                    for q in 1..<ManoJoint.count {
                        // ∂s/∂ω_{q,c} per axis: posedirs' 9 entries of joint q against ∂(R_q − I)/∂ω_c.
                        var ds = (SIMD3<Double>.zero, SIMD3<Double>.zero, SIMD3<Double>.zero)
                        let d = ws.poseFeatureDerivative + 27 * (q - 1)
                        for axis in 0..<3 {
                            let entries = point + axis * features + 9 * (q - 1)
                            ds.0[axis] = dotProduct(entries, d, 9)
                            ds.1[axis] = dotProduct(entries, d + 9, 9)
                            ds.2[axis] = dotProduct(entries, d + 18, 9)
                        }
                        add(blended * ds.0, 3 * q)
                        add(blended * ds.1, 3 * q + 1)
                        add(blended * ds.2, 3 * q + 2)
                    }
                }
            }
            // Shape.
            for k in 0..<shapeCount {
                var d = SIMD3<Double>.zero
                let ds = points.shapeDirs[i * shapeCount + k]
                for e in range {
                    let j = points.influenceJoint[e]
                    d += points.influenceWeight[e] * (ws.worldRotation[j] * (ds - jointShapeDirs[j * shapeCount + k])
                                                      + ws.posedJointShape[j * shapeCount + k])
                }
                add(d, HandParameters.shapeOffset + k)
            }
            // Translation.
            jac[row + HandParameters.translOffset] = 1
            jac[row + columns + HandParameters.translOffset + 1] = 1
            jac[row + 2 * columns + HandParameters.translOffset + 2] = 1
        }
    }
}

/// Dot product of two contiguous runs, four lanes at a time: posedirs rows are the only long
/// reductions in the forward pass (135 values per coordinate).
@inline(__always)
func dotProduct(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
    var acc = SIMD4<Double>.zero
    var k = 0
    while k + 4 <= n {
        acc += UnsafeRawPointer(a + k).loadUnaligned(as: SIMD4<Double>.self) * UnsafeRawPointer(b + k).loadUnaligned(as: SIMD4<Double>.self)
        k += 4
    }
    var sum = acc.sum()
    while k < n {
        sum += a[k] * b[k]
        k += 1
    }
    return sum
}
