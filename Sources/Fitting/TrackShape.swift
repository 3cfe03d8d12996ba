import COpenBLAS

/// A track's shape (10 coefficients) and world-landmark scale, estimated online over the frames
/// of the track and held steady within each frame's fit.
///
/// A person's hand does not change between frames, and a prototype on real MediaPipe evidence
/// found per-track bone lengths, estimated over the sequence by alternating shape fits with pose
/// fits, the largest single gain (shared notes, fitting-lessons.md). Each frame's fit, at its
/// solution, contributes the Gauss–Newton information of the data terms about (shape, scale):
/// with the residuals r0 and their Jacobian G there, it adds G^T G and G^T (G u0 - r0), faded by
/// nothing until the track has settled (`settleFrames`), then weighed down (`settledWeight`); the
/// estimate is the regularized solution of the summed normal equations.
/// It is recursive least squares on the linearized problem, so it settles as frames accumulate.
///
/// Beyond the shape space, it estimates 20 bone-length factors (`BoneScaling`) with a firm prior
/// toward `boneCenter`: the evidence's landmark model has proportions of its own that no shape
/// reaches (`LandmarkProportions`).
public struct TrackShape: Sendable {
    public static let unknowns = 11 + BoneScaling.boneCount
    /// Shape coefficients (the model's prior is standard normal).
    public private(set) var shape: [Double]
    /// Factor applied to the world landmarks (MediaPipe's are metric for an average hand).
    public private(set) var scale: Double
    /// Bone-length factors (`BoneScaling`), one per bone.
    public private(set) var boneFactors: [Double]
    public private(set) var frames = 0
    /// Frames over which the estimate settles: each adds its information at full weight, so the
    /// estimate is the mean of all frames so far. 150 frames is 5 s at 30 fps.
    public var settleFrames = 150
    /// The weight of each frame after that: a settled hand moves only with evidence that holds over
    /// many frames. Measured on the stereo clip, calibrated (`handmesh eval stereo`, views 0 / 1):
    /// with full weight for every frame, bone lengths varied 2.2 / 2.0 % over the second half, 9.24 /
    /// 8.58 mm from the triangulated points; settling after 150 frames at 0.1, 0.79 / 0.76 % and
    /// 9.39 / 8.64 mm; after 90 at 0.1, 0.96 / 0.88 % and 9.39 / 8.97 mm; after 90 at 0.2, 1.30 / 1.16 %.
    public var settledWeight = 0.1
    /// Information carried into a new track from the stream's last estimate for the same side
    /// (`carried(over:)`), in frames: enough to start from that hand, little enough that a different
    /// person's hand takes over within a second or two.
    public static let carriedFrames = 30.0
    public var shapeSigma = 1.0
    /// MediaPipe's world landmarks are trained to be metric; allow them 5% of scale error.
    public var scaleSigma = 0.05
    /// Bone factors per unit residual, around `boneCenter`. One view cannot tell a bone's length
    /// from its tilt in depth, and a track's evidence, summed over hundreds of frames, draws the
    /// factors away from the proportions its landmarks have in 3D; so the prior is firm, and a hand
    /// whose proportions differ from the network's average moves the factors only over many frames.
    /// Measured on the stereo clip, calibrated, against points triangulated from both views
    /// (`handmesh eval stereo`, two-pass; views 0 / 1 and cross-view over the whole clip, then over
    /// the held-out frames 252–377): 0.1 gave 8.00 / 11.42 mm and 13.9 mm (9.74 / 14.48 and 16.9:
    /// view 1's bones drifted); 0.05 gave 7.50 / 8.50 and 10.2 (8.70 / 10.34 and 12.7); 0.03 gave
    /// 7.43 / 8.07 and 9.8 (8.64 / 10.21 and 12.3); 0.02 gave 7.36 / 7.85 and 9.7 (8.64 / 10.25 and
    /// 12.4). 0.02 and 0.03 differ only on the frames the proportions were measured on, so the
    /// looser one stays. Before the landmark proportions (prior at the model's own, 0.15): 8.86 /
    /// 10.16 and 12.2 (9.56 / 11.88 and 15.5).
    public var boneSigma = 0.03
    /// Bone estimation on or off (off keeps the factors at `boneCenter`).
    public var estimateBones = true
    /// Where the bone factors start and what their prior pulls toward: the landmark network's
    /// proportions on the model (`HandModel.landmarkBoneFactors`) for its evidence, ones (the
    /// model's own bones) otherwise. The factors stay within half to 1.8 times these.
    public private(set) var boneCenter: [Double]

    var information: [Double]
    var vector: [Double]
    var system: [Double]
    var solution: [Double]
    /// One frame's rows over the unknowns, and their linearized targets (`add`'s workspace).
    var gradients: [Double] = []
    var targets: [Double] = []

    public init(shape: [Double] = [Double](repeating: 0, count: 10), scale: Double = 1) {
        precondition(shape.count == 10, "TrackShape: 10 shape values expected")

        self.shape = shape
        self.scale = scale
        let n = Self.unknowns
        boneFactors = [Double](repeating: 1, count: BoneScaling.boneCount)
        boneCenter = boneFactors
        information = [Double](repeating: 0, count: n * n)
        vector = [Double](repeating: 0, count: n)
        system = [Double](repeating: 0, count: n * n)
        solution = [Double](repeating: 0, count: n)
    }

    /// Centres the bone factors' prior on `center` (20) and restarts them there.
    public mutating func centerBones(on center: [Double]) {
        precondition(center.count == BoneScaling.boneCount, "TrackShape: \(center.count) bone centres, expected \(BoneScaling.boneCount)")
        boneCenter = center
        boneFactors = center
    }

    /// Restarts the estimate from `shape` (a new track).
    public mutating func reset(shape newShape: UnsafeBufferPointer<Double>? = nil) {
        for i in 0..<10 { shape[i] = newShape?[i] ?? 0 }
        scale = 1
        for b in 0..<BoneScaling.boneCount { boneFactors[b] = boneCenter[b] }
        frames = 0
        for i in 0..<(Self.unknowns * Self.unknowns) { information[i] = 0 }
        for i in 0..<Self.unknowns { vector[i] = 0 }
    }

    /// The estimate for a new track of the same hand: this one's shape, scale and bone factors, with
    /// its information scaled to `carriedFrames` frames' worth.
    public func carried() -> TrackShape {
        var next = self
        let keep = min(1, Self.carriedFrames / max(Double(frames), 1))
        for i in 0..<next.information.count { next.information[i] *= keep }
        for i in 0..<next.vector.count { next.vector[i] *= keep }
        next.frames = min(frames, Int(Self.carriedFrames))
        return next
    }

    /// Adds one frame: `jacobian` is the whitened data Jacobian (rows x 61, the shape columns at
    /// 48..<58), `residual` the whitened residuals and `scaleColumn` their derivative with
    /// respect to the scale, `boneColumns` (rows x 20) to the bone factors, all at the frame's
    /// solution. Then re-solves. Allocates nothing once `rows` has been seen.
    public mutating func add(jacobian: UnsafeBufferPointer<Double>, residual: UnsafeBufferPointer<Double>,
                             scaleColumn: UnsafeBufferPointer<Double>, boneColumns: UnsafeBufferPointer<Double>? = nil,
                             rows: Int) {
        let weight = frames < settleFrames ? 1 : settledWeight, n = Self.unknowns, nb = BoneScaling.boneCount
        let bones = estimateBones ? boneColumns : nil
        if gradients.count < rows * n { gradients = [Double](repeating: 0, count: rows * n) }
        if targets.count < rows { targets = [Double](repeating: 0, count: rows) }
        gradients.withUnsafeMutableBufferPointer { G in
            targets.withUnsafeMutableBufferPointer { t in
                shape.withUnsafeBufferPointer { beta in
                    boneFactors.withUnsafeBufferPointer { s in
                        for r in 0..<rows {
                            // The row's gradient over (shape, scale, bones) and its linearized
                            // target G u0 - r0.
                            let row = jacobian.baseAddress! + r * 61, g = G.baseAddress! + r * n
                            for k in 0..<10 { g[k] = row[48 + k] }
                            g[10] = scaleColumn[r]
                            if let bones { for k in 0..<nb { g[11 + k] = bones[r * nb + k] } }
                            else { for k in 0..<nb { g[11 + k] = 0 } }
                            var gu = scale * g[10]
                            for k in 0..<10 { gu += g[k] * beta[k] }
                            for k in 0..<nb { gu += g[11 + k] * s[k] }
                            t[r] = gu - residual[r]
                        }
                    }
                }
                // information += weight G^T G, vector += weight G^T t: one BLAS call each, as the
                // refinement's own normal equations (row by row, this was 60 µs of a 210 µs warm frame).
                guard rows > 0 else { return }
                information.withUnsafeMutableBufferPointer { A in
                    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(n), Int32(n), Int32(rows), weight,
                                G.baseAddress, Int32(n), G.baseAddress, Int32(n), 1, A.baseAddress, Int32(n))
                }
                vector.withUnsafeMutableBufferPointer { b in
                    cblas_dgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(n), weight, G.baseAddress, Int32(n),
                                t.baseAddress, 1, 1, b.baseAddress, 1)
                }
            }
        }
        frames += 1
        solve()
    }

    mutating func solve() {
        let n = Self.unknowns
        let invShape = 1 / (shapeSigma * shapeSigma), invScale = 1 / (scaleSigma * scaleSigma)
        let invBone = 1 / (boneSigma * boneSigma)
        for i in 0..<(n * n) { system[i] = information[i] }
        for i in 0..<10 { system[i * n + i] += invShape; solution[i] = vector[i] }
        system[10 * n + 10] += invScale
        solution[10] = vector[10] + invScale * 1
        for i in 11..<n { system[i * n + i] += invBone; solution[i] = vector[i] + invBone * boneCenter[i - 11] }
        let ok = system.withUnsafeMutableBufferPointer { s in Cholesky.factor(s.baseAddress!, n: n) }
        guard ok else { return }
        system.withUnsafeBufferPointer { s in
            solution.withUnsafeMutableBufferPointer { x in Cholesky.solve(s.baseAddress!, n: n, x.baseAddress!) }
        }
        // Shape beyond three standard deviations is not a hand; the clamps guard a bad start.
        for i in 0..<10 { shape[i] = min(3, max(-3, solution[i])) }
        scale = min(1.4, max(0.7, solution[10]))
        for k in 0..<BoneScaling.boneCount {
            boneFactors[k] = min(1.8 * boneCenter[k], max(0.5 * boneCenter[k], solution[11 + k]))
        }
    }
}
