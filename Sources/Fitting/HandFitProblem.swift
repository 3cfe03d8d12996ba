import COpenBLAS
import HandModel

/// The refinement's objective for one hand in one frame, over the 61 parameters:
///
/// - robust (Huber) reprojection of the 21 keypoints, weighted by confidence, through the
///   camera with its lens distortion;
/// - alignment of the centroid-relative keypoints to the centroid-relative world landmarks
///   times the track's scale (keeping the landmarks' orientation, which carries information), each
///   keypoint weighted by `FitWeights.worldJointWeights`;
/// - joint limits as soft (one-sided quadratic) barriers, and closeness to the regressor's pose;
/// - a shape prior, when shape is free (otherwise shape is held at the track's estimate);
/// - a temporal term toward the previous frame's solution, when there is one.
///
/// Keypoints are compared centroid-relative rather than wrist-relative so that the wrist
/// landmark's own noise does not shift every residual.
///
/// It owns preallocated buffers (a workspace, so not Sendable); evaluating allocates nothing.
public final class HandFitProblem<Model: KeypointFunction>: LeastSquaresProblem {
    public static var keypointCount: Int { 21 }
    public static var dataRows: Int { 2 * 21 + 3 * 21 }
    public let parameterCount = 61

    public var model: Model
    public var camera: PinholeCamera
    public var weights: FitWeights
    /// Track scale applied to the world landmarks.
    public var worldScale: Double = 1
    public var shapeFree = false
    /// A held shape (not `shapeFree`) is the track's: the solver leaves it out of its steps.
    public var heldParameters: Range<Int> { shapeFree ? 0..<0 : 48..<58 }
    public var useTemporal = false
    public var useRegressorPrior = false
    /// A further residual block (e.g. the silhouette term), added to every cost and linearization.
    public var extraTerm: (any FitTerm)?

    let observed: UnsafeMutablePointer<SIMD2<Double>>
    let confidence: UnsafeMutablePointer<Double>
    /// World landmarks minus their centroid.
    let worldCentered: UnsafeMutablePointer<SIMD3<Double>>
    /// The landmarks as they were while `articulationCost` turns them.
    let worldKept: UnsafeMutablePointer<SIMD3<Double>>
    var worldWeight = 0.0
    let lower: UnsafeMutablePointer<Double>
    let upper: UnsafeMutablePointer<Double>
    let regressorPose: UnsafeMutablePointer<Double>
    let previous: UnsafeMutablePointer<Double>
    let shapeCenter: UnsafeMutablePointer<Double>
    let keypoints: UnsafeMutablePointer<Double>
    let jacobian: UnsafeMutablePointer<Double>
    let meanJacobian: UnsafeMutablePointer<Double>
    /// Whitened data Jacobian (dataRows x 61) and residuals of the last linearization.
    let dataJacobian: UnsafeMutablePointer<Double>
    let dataResidual: UnsafeMutablePointer<Double>
    /// d(whitened data residual)/d(worldScale) of the last linearization.
    let scaleColumn: UnsafeMutablePointer<Double>
    /// The track's bone-length factors, applied to the model's keypoints (`BoneScaling`).
    public let boneScaling = BoneScaling()
    /// d(whitened data residual)/d(bone factors) of the last linearization (dataRows x 20).
    let boneColumns: UnsafeMutablePointer<Double>
    /// d(centroid)/d(bone factors), 3 x 20.
    let meanBoneJacobian: UnsafeMutablePointer<Double>

    public init(model: Model, camera: PinholeCamera, poseLimits: [ClosedRange<Double>], weights: FitWeights = FitWeights()) {
        precondition(poseLimits.count == 45, "HandFitProblem: \(poseLimits.count) pose limits, expected 45")
        self.model = model
        self.camera = camera
        self.weights = weights
        observed = .allocate(capacity: 21)
        confidence = .allocate(capacity: 21)
        worldCentered = .allocate(capacity: 21)
        worldKept = .allocate(capacity: 21)
        lower = .allocate(capacity: 45)
        upper = .allocate(capacity: 45)
        regressorPose = .allocate(capacity: 45)
        previous = .allocate(capacity: 61)
        shapeCenter = .allocate(capacity: 10)
        keypoints = .allocate(capacity: 63)
        jacobian = .allocate(capacity: 63 * 61)
        meanJacobian = .allocate(capacity: 3 * 61)
        dataJacobian = .allocate(capacity: Self.dataRows * 61)
        dataResidual = .allocate(capacity: Self.dataRows)
        scaleColumn = .allocate(capacity: Self.dataRows)
        scaleColumn.initialize(repeating: 0, count: Self.dataRows)
        boneColumns = .allocate(capacity: Self.dataRows * BoneScaling.boneCount)
        boneColumns.initialize(repeating: 0, count: Self.dataRows * BoneScaling.boneCount)
        meanBoneJacobian = .allocate(capacity: 3 * BoneScaling.boneCount)
        for i in 0..<45 { lower[i] = poseLimits[i].lowerBound; upper[i] = poseLimits[i].upperBound }
        regressorPose.initialize(repeating: 0, count: 45)
        previous.initialize(repeating: 0, count: 61)
        shapeCenter.initialize(repeating: 0, count: 10)
        observed.initialize(repeating: .zero, count: 21)
        confidence.initialize(repeating: 0, count: 21)
        worldCentered.initialize(repeating: .zero, count: 21)
        worldKept.initialize(repeating: .zero, count: 21)
    }

    deinit {
        for p in [confidence, lower, upper, regressorPose, previous, shapeCenter, keypoints, jacobian,
                  meanJacobian, dataJacobian, dataResidual, scaleColumn, boneColumns, meanBoneJacobian] { p.deallocate() }
        observed.deallocate()
        worldCentered.deallocate()
        worldKept.deallocate()
    }

    /// Loads one frame's evidence (copies; allocates nothing).
    public func setEvidence(_ e: FitEvidence) {
        for j in 0..<21 {
            observed[j] = e.keypoints[j]
            confidence[j] = max(0, e.confidence[j])
        }
        if e.hasWorld {
            var c = SIMD3<Double>.zero
            for j in 0..<21 { c += e.world[j] }
            c /= 21
            for j in 0..<21 { worldCentered[j] = e.world[j] - c }
            worldWeight = 1
        } else {
            worldWeight = 0
        }
    }

    /// The data cost at `x` with the world landmarks first turned onto the model's keypoints there
    /// (the rotation that aligns them best): it weighs the hand's articulation against the
    /// landmarks and not its orientation. The landmarks are left as they were.
    public func articulationCost(at x: UnsafeBufferPointer<Double>) -> Double {
        evaluateKeypoints(x, withJacobian: false)
        guard worldWeight > 0 else { return dataCost(jacobianRows: false).total }
        let r = rotation(onto: keypoints)
        for j in 0..<21 { worldKept[j] = worldCentered[j]; worldCentered[j] = r * worldCentered[j] }
        let cost = dataCost(jacobianRows: false).total
        for j in 0..<21 { worldCentered[j] = worldKept[j] }
        return cost
    }

    /// Turns the world landmarks onto `keypoints` (63 values, the model's keypoints somewhere near
    /// this frame's: the previous frame's fit) when their orientations differ by more than `limit`
    /// radians, and says whether it did: from then on, until `setEvidence`, they are evidence of the
    /// articulation alone.
    @discardableResult
    public func turnWorld(onto keypoints: UnsafeBufferPointer<Double>, beyond limit: Double) -> Bool {
        guard worldWeight > 0 else { return false }
        let r = rotation(onto: keypoints.baseAddress!)
        let w = AxisAngle.vector(r)
        guard (w * w).sum() > limit * limit else { return false }
        for j in 0..<21 { worldCentered[j] = r * worldCentered[j] }
        return true
    }

    /// The rotation that best takes the centred world landmarks onto `keypoints` (63 values).
    func rotation(onto keypoints: UnsafePointer<Double>) -> Mat3 {
        withUnsafeTemporaryAllocation(of: SIMD3<Double>.self, capacity: 21) { pts in
            for j in 0..<21 { pts[j] = SIMD3(keypoints[3 * j], keypoints[3 * j + 1], keypoints[3 * j + 2]) }
            return Procrustes.align(UnsafeBufferPointer(start: worldCentered, count: 21), to: UnsafeBufferPointer(pts),
                                    withScale: false).rotation
        }
    }

    public func setRegressorPose(_ pose: UnsafeBufferPointer<Double>) {
        for i in 0..<45 { regressorPose[i] = pose[i] }
    }

    public func setPrevious(_ p: UnsafeBufferPointer<Double>) {
        for i in 0..<61 { previous[i] = p[i] }
    }

    public func setShapeCenter(_ s: UnsafeBufferPointer<Double>) {
        for i in 0..<10 { shapeCenter[i] = s[i] }
    }

    // MARK: - Cost

    /// The model's keypoints (and Jacobian) at `x` with the track's bone factors applied.
    func evaluateKeypoints(_ x: UnsafeBufferPointer<Double>, withJacobian: Bool) {
        model.evaluate(x, keypoints: UnsafeMutableBufferPointer(start: keypoints, count: 63),
                       jacobian: withJacobian ? UnsafeMutableBufferPointer(start: jacobian, count: 63 * 61) : nil)
        // At the identity the factors change nothing; their derivative is needed only when linearizing.
        if withJacobian || !boneScaling.isIdentity {
            boneScaling.apply(keypoints: keypoints, jacobian: withJacobian ? jacobian : nil, columns: 61)
        }
    }

    public func cost(at x: UnsafeBufferPointer<Double>) -> Double {
        evaluateKeypoints(x, withJacobian: false)
        var total = dataCost(jacobianRows: false).total
        total += priorCost(x, jtj: nil, jtr: nil)
        if let extraTerm { total += extraTerm.cost(at: x) }
        return total
    }

    /// The data terms' whitened residuals and Jacobian rows at `x` (`lastDataJacobian` and the
    /// rest), without the normal equations: what the track's shape estimate reads.
    public func linearizeData(at x: UnsafeBufferPointer<Double>) {
        evaluateKeypoints(x, withJacobian: true)
        dataCost(jacobianRows: true)
    }

    public func linearize(at x: UnsafeBufferPointer<Double>, jtj: UnsafeMutableBufferPointer<Double>,
                          jtr: UnsafeMutableBufferPointer<Double>) -> Double {
        evaluateKeypoints(x, withJacobian: true)
        var total = dataCost(jacobianRows: true).total
        let rows = Int32(Self.dataRows)
        // J^T J and J^T r of the data rows.
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, 61, 61, rows, 1,
                    dataJacobian, 61, dataJacobian, 61, 0, jtj.baseAddress, 61)
        cblas_dgemv(CblasRowMajor, CblasTrans, rows, 61, 1, dataJacobian, 61, dataResidual, 1, 0, jtr.baseAddress, 1)
        total += priorCost(x, jtj: jtj.baseAddress, jtr: jtr.baseAddress)
        if let extraTerm { total += extraTerm.accumulate(at: x, jtj: jtj, jtr: jtr) }
        return total
    }

    /// The data terms (reprojection and world landmarks) at the keypoints in `keypoints`, and,
    /// when asked, their whitened residuals and Jacobian rows from `jacobian`.
    @discardableResult
    func dataCost(jacobianRows: Bool) -> (total: Double, reprojection: Double, world: Double) {
        let w = weights
        let invPixel = 1 / w.pixelSigma, invWorld = 1 / w.worldSigma
        let huberPixel = RobustLoss.huber(threshold: w.pixelHuber * invPixel)
        let huberWorld = RobustLoss.huber(threshold: w.worldHuber * invWorld)
        let kp = UnsafeRawPointer(keypoints).assumingMemoryBound(to: Double.self)
        @inline(__always) func point(_ j: Int) -> SIMD3<Double> { SIMD3(kp[3 * j], kp[3 * j + 1], kp[3 * j + 2]) }
        var reprojection = 0.0, world = 0.0
        let J = jacobian, D = dataJacobian
        let F = boneScaling.factorJacobian, nb = BoneScaling.boneCount
        for j in 0..<21 {
            let c = confidence[j]
            let rowU = D + (2 * j) * 61, rowV = rowU + 61
            let p = point(j)
            guard c > 0, p.z > 1e-4 else {
                if p.z <= 1e-4 && c > 0 { reprojection += .infinity }
                if jacobianRows {
                    dataResidual[2 * j] = 0; dataResidual[2 * j + 1] = 0
                    for k in 0..<61 { rowU[k] = 0; rowV[k] = 0 }
                    let bu = boneColumns + (2 * j) * nb, bv = bu + nb
                    for b in 0..<nb { bu[b] = 0; bv[b] = 0 }
                }
                continue
            }
            if jacobianRows {
                let (uv, du, dv) = camera.projectWithJacobian(p)
                let e = (uv - observed[j]) * invPixel
                let s = (e * e).sum()
                reprojection += 0.5 * c * huberPixel.rho(s)
                let sq = (c * huberPixel.weight(s)).squareRoot()
                dataResidual[2 * j] = sq * e.x
                dataResidual[2 * j + 1] = sq * e.y
                let a = du * (sq * invPixel), b = dv * (sq * invPixel)
                let r0 = J + (3 * j) * 61, r1 = r0 + 61, r2 = r1 + 61
                for k in 0..<61 {
                    rowU[k] = a.x * r0[k] + a.y * r1[k] + a.z * r2[k]
                    rowV[k] = b.x * r0[k] + b.y * r1[k] + b.z * r2[k]
                }
                let f0 = F + (3 * j) * nb, f1 = f0 + nb, f2 = f1 + nb
                let bu = boneColumns + (2 * j) * nb, bv = bu + nb
                for k in 0..<nb {
                    bu[k] = a.x * f0[k] + a.y * f1[k] + a.z * f2[k]
                    bv[k] = b.x * f0[k] + b.y * f1[k] + b.z * f2[k]
                }
            } else {
                let e = (camera.project(p) - observed[j]) * invPixel
                reprojection += 0.5 * c * huberPixel.rho((e * e).sum())
            }
        }
        let base = 42
        if worldWeight > 0 {
            var centroid = SIMD3<Double>.zero
            for j in 0..<21 { centroid += point(j) }
            centroid /= 21
            if jacobianRows {
                for t in 0..<(3 * 61) { meanJacobian[t] = 0 }
                for j in 0..<21 {
                    for t in 0..<(3 * 61) { meanJacobian[t] += J[3 * j * 61 + t] }
                }
                for t in 0..<(3 * 61) { meanJacobian[t] *= 1.0 / 21 }
                for t in 0..<(3 * nb) { meanBoneJacobian[t] = 0 }
                for j in 0..<21 {
                    for t in 0..<(3 * nb) { meanBoneJacobian[t] += F[3 * j * nb + t] }
                }
                for t in 0..<(3 * nb) { meanBoneJacobian[t] *= 1.0 / 21 }
            }
            let s = worldScale
            for j in 0..<21 {
                let d = ((point(j) - centroid) - s * worldCentered[j]) * invWorld
                let sq2 = (d * d).sum()
                let weight = worldWeight * w.worldJointWeights[j]
                world += 0.5 * weight * huberWorld.rho(sq2)
                if jacobianRows {
                    let sq = (weight * huberWorld.weight(sq2)).squareRoot()
                    let f = sq * invWorld
                    for c in 0..<3 {
                        let row = D + (base + 3 * j + c) * 61
                        let src = J + (3 * j + c) * 61, m = meanJacobian + c * 61
                        for k in 0..<61 { row[k] = f * (src[k] - m[k]) }
                        dataResidual[base + 3 * j + c] = sq * d[c]
                        scaleColumn[base + 3 * j + c] = -f * worldCentered[j][c]
                        let bRow = boneColumns + (base + 3 * j + c) * nb
                        let bSrc = F + (3 * j + c) * nb, bm = meanBoneJacobian + c * nb
                        for k in 0..<nb { bRow[k] = f * (bSrc[k] - bm[k]) }
                    }
                }
            }
        } else if jacobianRows {
            for t in (base * 61)..<(Self.dataRows * 61) { D[t] = 0 }
            for t in base..<Self.dataRows { dataResidual[t] = 0; scaleColumn[t] = 0 }
            for t in (base * nb)..<(Self.dataRows * nb) { boneColumns[t] = 0 }
        }
        return (reprojection + world, reprojection, world)
    }

    /// The diagonal terms: limits, regressor closeness, shape prior, temporal. Adds their
    /// curvature and gradient to `jtj` / `jtr` when given.
    func priorCost(_ x: UnsafeBufferPointer<Double>, jtj: UnsafeMutablePointer<Double>?,
                   jtr: UnsafeMutablePointer<Double>?) -> Double {
        let w = weights
        var total = 0.0
        @inline(__always) func add(_ k: Int, _ residual: Double, _ inv: Double) {
            total += 0.5 * residual * residual
            if let jtj, let jtr {
                jtj[k * 61 + k] += inv * inv
                jtr[k] += residual * inv
            }
        }
        let invLimit = 1 / w.limitSigma, invReg = 1 / w.regressorPoseSigma
        for i in 0..<45 {
            let k = 3 + i, theta = x[k]
            if theta < lower[i] { add(k, (theta - lower[i]) * invLimit, invLimit) }
            else if theta > upper[i] { add(k, (theta - upper[i]) * invLimit, invLimit) }
            if useRegressorPrior { add(k, (theta - regressorPose[i]) * invReg, invReg) }
        }
        if shapeFree {
            let inv = 1 / w.shapeSigma
            for i in 0..<10 { add(48 + i, (x[48 + i] - shapeCenter[i]) * inv, inv) }
        }
        if useTemporal {
            let io = 1 / w.temporalOrientSigma, ip = 1 / w.temporalPoseSigma, it = 1 / w.temporalTranslSigma
            for k in 0..<3 { add(k, (x[k] - previous[k]) * io, io) }
            for k in 3..<48 { add(k, (x[k] - previous[k]) * ip, ip) }
            for k in 58..<61 { add(k, (x[k] - previous[k]) * it, it) }
        }
        return total
    }

    // MARK: - Inspection

    /// Evaluates the keypoints at `x` and returns (mean reprojection error px over confident
    /// keypoints, data cost); leaves the keypoints in `keypointsBuffer`.
    public func evaluateData(at x: UnsafeBufferPointer<Double>) -> (meanPixelError: Double, dataCost: Double) {
        evaluateKeypoints(x, withJacobian: false)
        let cost = dataCost(jacobianRows: false).total
        var sum = 0.0, n = 0.0
        for j in 0..<21 where confidence[j] > 0 {
            let p = SIMD3(keypoints[3 * j], keypoints[3 * j + 1], keypoints[3 * j + 2])
            let e = camera.project(p) - observed[j]
            sum += (e * e).sum().squareRoot()
            n += 1
        }
        return (n > 0 ? sum / n : 0, cost)
    }

    /// The keypoints (63, metres, camera frame) of the last evaluation.
    public var keypointsBuffer: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: keypoints, count: 63) }

    /// Whitened data residuals and Jacobian rows of the last linearization (dataRows and
    /// dataRows x 61), for the track's shape estimate.
    public var lastDataJacobian: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: dataJacobian, count: Self.dataRows * 61) }
    public var lastDataResidual: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: dataResidual, count: Self.dataRows) }
    public var lastScaleColumn: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: scaleColumn, count: Self.dataRows) }
    /// d(whitened data residual)/d(bone factors) of the last linearization (dataRows x 20).
    public var lastBoneColumns: UnsafeBufferPointer<Double> { UnsafeBufferPointer(start: boneColumns, count: Self.dataRows * BoneScaling.boneCount) }
    public var worldCenteredLandmarks: UnsafeBufferPointer<SIMD3<Double>> { UnsafeBufferPointer(start: worldCentered, count: 21) }
    public var hasWorld: Bool { worldWeight > 0 }
    /// The range of pose value `i` the barrier uses.
    public func poseLimit(_ i: Int) -> ClosedRange<Double> { lower[i]...upper[i] }
}
