import COpenBLAS
import Foundation
import HandModel

/// Fits one hand track frame by frame: a warm start from the previous frame's solution with a
/// temporal term when the track continues; a cold start from the regressor (rotation refined
/// by aligning to the world landmarks, translation in closed form) otherwise, or when the warm
/// fit's data cost jumps. Shape and world scale belong to the track (`TrackShape`).
///
/// One per track; it owns workspaces, so it is not Sendable and belongs to one thread.
/// After the first frame, fitting allocates nothing.
public final class HandFitter {
    public let model: HandModel
    public let regressor: HandRegressor?
    public var settings: FitSettings {
        didSet {
            problem.camera = settings.camera
            problem.weights = settings.weights
            if oldValue.filter != settings.filter { resetFilter() }
        }
    }
    public private(set) var trackShape = TrackShape()
    /// A residual block joined to the refinement's own (a silhouette term, say); nil for none.
    public var extraTerm: (any FitTerm)? {
        get { problem.extraTerm }
        set { problem.extraTerm = newValue }
    }
    /// The solution before the jitter filter (the next warm start), in `HandFitProblem`'s order.
    public var unfilteredSolution: [Double] { x }

    let problem: HandFitProblem<HandModelKeypoints>
    var solver = LevenbergMarquardt(capacity: 61)
    var regressorWorkspace: HandRegressor.Workspace?
    var x = [Double](repeating: 0, count: 61)
    var previous = [Double](repeating: 0, count: 61)
    var warmResult = [Double](repeating: 0, count: 61)
    var output = [Double](repeating: 0, count: 61)
    /// The model's keypoints at `previous` (63).
    var trackKeypoints = [Double](repeating: 0, count: 63)
    var estimate = HandParameters()
    var rotationFilter: OneEuroFilter?
    var translationFilter: OneEuroFilter?
    var hasPrevious = false
    /// The track's shape came from an earlier track (`reset(shape:)`): the cold start keeps it.
    var shapeCarried = false
    var costLevel = 0.0
    var vertexWorkspace: HandModelWorkspace
    /// The model whose rest frame the regressor's pose is in (the built-in hand it learned on), when
    /// it is not this one's: its estimate is carried into this model's frame (`HandModel.pose(_:from:)`),
    /// so a MANO file's prior and limits see the same hand.
    let regressorFrame: HandModel?
    /// How the hand's size (root-mean-square distance of its keypoints from their centroid, metres)
    /// changes per unit of each shape coefficient, at the mean pose, and that size at the mean shape.
    let sizeGradient: [Double]
    let meanSize: Double

    public init(model: HandModel, regressor: HandRegressor?, settings: FitSettings) {
        self.model = model
        self.regressor = regressor
        self.settings = settings
        problem = HandFitProblem(model: HandModelKeypoints(model: model), camera: settings.camera,
                                 poseLimits: model.poseLimits, weights: settings.weights)
        if let r = regressor { regressorWorkspace = HandRegressor.Workspace(r) }
        vertexWorkspace = HandModelWorkspace(model: model)
        let builtIn = HandModel.builtIn(side: model.side)
        regressorFrame = builtIn.anatomicalAxes == model.anatomicalAxes ? nil : builtIn
        (sizeGradient, meanSize) = Self.sizeGradient(model)
        // The regressor runs on every warm frame: a few small matrix-vector products, for which
        // OpenBLAS's own threads only cost wake-ups (measured on the stereo clip: fit 19.9 ms a frame
        // median on a loaded machine with OpenBLAS's default 2 threads, 0.37 ms with 1). Process-wide,
        // and the same value every time, as the neural engine sets it.
        openblas_set_num_threads(1)
        trackShape.estimateBones = settings.estimateBoneLengths
        trackShape.centerBones(on: boneCenter)
        resetFilter()
    }

    /// Where the track's bone factors start (`TrackShape.boneCenter`).
    var boneCenter: [Double] {
        settings.estimateBoneLengths && settings.landmarkProportions
            ? model.landmarkBoneFactors : [Double](repeating: 1, count: BoneLengths.count)
    }

    func resetFilter() {
        rotationFilter = settings.filter.map { OneEuroFilter(channels: 48, parameters: $0.rotation) }
        translationFilter = settings.filter.map { OneEuroFilter(channels: 3, parameters: $0.translation) }
    }

    /// Starts a new track: the next frame is fitted cold and the shape estimate restarts, from the
    /// mean hand or, with `shape`, from an earlier track's estimate of the same hand
    /// (`TrackShape.carried()`), which then holds the cold fit's shape.
    public func reset(shape: TrackShape? = nil) {
        hasPrevious = false
        if let shape {
            trackShape = shape
            trackShape.estimateBones = settings.estimateBoneLengths
            shapeCarried = true
        } else {
            trackShape.centerBones(on: boneCenter)
            trackShape.reset()
            shapeCarried = false
        }
        rotationFilter?.reset()
        translationFilter?.reset()
        costLevel = 0
    }

    /// Fits `evidence` observed at `time` (seconds) and writes the result. `continuesTrack`
    /// false (a new hand) resets the track first.
    public func fit(_ evidence: FitEvidence, time: Double, continuesTrack: Bool = true, into result: inout HandFitResult) {
        let start = DispatchTime.now().uptimeNanoseconds
        if !continuesTrack { reset() }
        problem.setEvidence(evidence)
        problem.worldScale = trackShape.scale
        trackShape.boneFactors.withUnsafeBufferPointer { problem.boneScaling.set($0) }
        var visible = 0.0
        for c in evidence.confidence where c > 0 { visible += 1 }
        visible = max(visible, 1)
        var iterations = 0
        var warm = false
        var dataCost = Double.infinity
        let newTrack = !hasPrevious

        if hasPrevious {
            for i in 0..<61 { x[i] = previous[i] }
            trackShape.shape.withUnsafeBufferPointer { s in for i in 0..<10 { x[48 + i] = s[i] } }
            problem.shapeFree = false
            problem.useRegressorPrior = false
            if let sigma = settings.warmRegressorPoseSigma, let r = regressor {
                r.predict(evidence, into: &estimate, workspace: &regressorWorkspace!)
                if let regressorFrame { model.pose(&estimate.pose, from: regressorFrame) }
                estimate.pose.withUnsafeBufferPointer { problem.setRegressorPose($0) }
                problem.useRegressorPrior = true
                problem.weights.regressorPoseSigma = sigma
            }
            problem.useTemporal = settings.temporal
            previous.withUnsafeBufferPointer { problem.setPrevious($0) }
            if let limit = settings.worldOrientationLimit {
                _ = trackKeypoints.withUnsafeBufferPointer { problem.turnWorld(onto: $0, beyond: limit) }
            }
            useWarmWeights()
            solver.options = settings.temporal ? settings.warmOptions : settings.warmOptionsWithoutTemporal
            var p = problem  // a class: the solver works on the same object
            let report = x.withUnsafeMutableBufferPointer { solver.minimize(&p, x: $0) }
            iterations += report.iterations
            dataCost = judgedCost(visible: visible)
            warm = true
            let jumped = dataCost > settings.jumpFloor && dataCost > settings.jumpFactor * costLevel
            if jumped {
                for i in 0..<61 { warmResult[i] = x[i] }
                // The cold fit reads the landmarks as given (the warm one may have turned them): where
                // the track is what went wrong, their orientation is what finds the hand again.
                problem.setEvidence(evidence)
                _ = coldFit(evidence, visible: visible, freeShape: false, iterations: &iterations)
                let coldCost = judgedCost(visible: visible)
                if coldCost < dataCost {
                    dataCost = coldCost
                    warm = false
                } else {
                    for i in 0..<61 { x[i] = warmResult[i] }
                    _ = x.withUnsafeBufferPointer { problem.evaluateData(at: $0) }
                }
            }
        } else if shapeCarried {
            dataCost = coldFit(evidence, visible: visible, freeShape: false, iterations: &iterations)
        } else {
            dataCost = coldFit(evidence, visible: visible, freeShape: true, iterations: &iterations)
            x.withUnsafeBufferPointer { xs in
                trackShape.reset(shape: UnsafeBufferPointer(rebasing: xs[48..<58]))
            }
        }
        // The track's cost level is kept in the judged cost, whatever fitted this frame.
        let levelCost = newTrack ? judgedCost(visible: visible) : dataCost
        costLevel = newTrack ? levelCost : 0.9 * costLevel + 0.1 * min(dataCost, 3 * max(costLevel, 1e-3))
        for i in 0..<61 { previous[i] = x[i] }
        // The last evaluation was at x (the judged cost, or the warm fit restored): its keypoints are
        // the track's for the next frame's world orientation (`FitSettings.worldOrientationLimit`).
        let evaluated = problem.keypointsBuffer
        for i in 0..<63 { trackKeypoints[i] = evaluated[i] }
        hasPrevious = true

        if settings.estimateShape && problem.hasWorld && levelCost < max(settings.jumpFloor, 2 * costLevel) {
            // The shape's information at this frame's solution.
            x.withUnsafeBufferPointer { problem.linearizeData(at: $0) }
            trackShape.add(jacobian: problem.lastDataJacobian, residual: problem.lastDataResidual,
                           scaleColumn: problem.lastScaleColumn, boneColumns: problem.lastBoneColumns, rows: HandFitProblem<HandModelKeypoints>.dataRows)
        }

        // The reported parameters: filtered copy (the next warm start uses the unfiltered one).
        for i in 0..<61 { output[i] = x[i] }
        if rotationFilter != nil && translationFilter != nil {
            output.withUnsafeMutableBufferPointer { o in
                rotationFilter!.filter(UnsafeMutableBufferPointer(rebasing: o[0..<48]), time: time)
                translationFilter!.filter(UnsafeMutableBufferPointer(rebasing: o[58..<61]), time: time)
            }
            // With an extra term (a silhouette), that term holds the hand in the image, and better
            // than keypoints do (measured on synthetic clips: anchoring lost 0.03 of mask IoU).
            if settings.filter?.anchorsToKeypoints == true && problem.extraTerm == nil { anchorOutput(on: evidence) }
        }
        write(result: &result)
        result.iterations = iterations
        result.warm = warm
        result.dataCostPerKeypoint = dataCost
        result.milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    /// Regressor (or mean pose) -> rotation from the world landmarks -> closed-form translation
    /// -> LM without the temporal term. Returns the data cost per keypoint; leaves the solution
    /// in `x`.
    func coldFit(_ evidence: FitEvidence, visible: Double, freeShape: Bool, iterations: inout Int) -> Double {
        if let r = regressor {
            r.predict(evidence, into: &estimate, workspace: &regressorWorkspace!)
            if let regressorFrame { model.pose(&estimate.pose, from: regressorFrame) }
        } else {
            for i in 0..<45 { estimate.pose[i] = model.meanPose[i] }
            for i in 0..<10 { estimate.shape[i] = 0 }
            estimate.globalOrient = .zero
        }
        if !freeShape {
            for i in 0..<10 { estimate.shape[i] = trackShape.shape[i] }
        } else {
            for i in 0..<10 { estimate.shape[i] = min(2, max(-2, estimate.shape[i])) }
        }
        estimate.transl = .zero
        x[0] = estimate.globalOrient.x; x[1] = estimate.globalOrient.y; x[2] = estimate.globalOrient.z
        for i in 0..<45 { x[3 + i] = estimate.pose[i] }
        for i in 0..<10 { x[48 + i] = estimate.shape[i] }
        x[58] = 0; x[59] = 0; x[60] = 0
        if evidence.hasWorld {
            // Root rotation from the world landmarks, which share the camera's axes: align the
            // model's keypoints at the estimated pose (root rotation zero) to them.
            x[0] = 0; x[1] = 0; x[2] = 0
            _ = x.withUnsafeBufferPointer { problem.evaluateData(at: $0) }
            // The inverse of the rotation that takes the landmarks onto the keypoints.
            let w = AxisAngle.vector(problem.rotation(onto: problem.keypointsBuffer.baseAddress!).transposed)
            x[0] = w.x; x[1] = w.y; x[2] = w.z
        }
        if freeShape && evidence.hasWorld && settings.sizeFromWorld { initializeSize() }
        _ = x.withUnsafeBufferPointer { problem.evaluateData(at: $0) }
        if let t = HandRegressor.solveTranslation(local: problem.keypointsBuffer, evidence: evidence, camera: settings.camera),
           t.z > 0.05 {
            x[58] = t.x; x[59] = t.y; x[60] = t.z
        } else {
            x[60] = 0.5
        }
        problem.shapeFree = freeShape
        problem.useTemporal = false
        problem.useRegressorPrior = regressor != nil
        problem.weights.regressorPoseSigma = settings.weights.regressorPoseSigma
        problem.weights.pixelSigma = settings.weights.pixelSigma
        problem.weights.worldJointWeights = settings.weights.worldJointWeights
        x.withUnsafeBufferPointer { xs in
            problem.setRegressorPose(UnsafeBufferPointer(rebasing: xs[3..<48]))
            problem.setShapeCenter(UnsafeBufferPointer(rebasing: xs[48..<58]))
        }
        if freeShape {
            // The shape prior's centre is the mean shape, not the regressor's guess.
            var zero = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
            withUnsafeBytes(of: &zero) { raw in
                problem.setShapeCenter(raw.bindMemory(to: Double.self))
            }
        }
        solver.options = settings.coldOptions
        var p = problem  // a class: the solver works on the same object
        // An extra term (a silhouette) refines a hand that is already about right; from the cold
        // start it can pull toward the wrong depth and shape, so it joins once the keypoints have
        // placed the hand.
        let extra = problem.extraTerm
        problem.extraTerm = nil
        let report = x.withUnsafeMutableBufferPointer { solver.minimize(&p, x: $0) }
        iterations += report.iterations
        if let extra {
            problem.extraTerm = extra
            solver.options = settings.warmOptions
            for pass in 0..<extra.coldPasses {
                extra.prepare(pass: pass)
                iterations += x.withUnsafeMutableBufferPointer { solver.minimize(&p, x: $0) }.iterations
            }
        }
        return x.withUnsafeBufferPointer { problem.evaluateData(at: $0).dataCost } / visible
    }

    /// The hand's size per shape coefficient at the mean pose (`sizeGradient`), by central
    /// differences: the keypoints are affine in the shape at a fixed pose, so this is the size's
    /// derivative to second order. Once per fitter.
    static func sizeGradient(_ model: HandModel) -> ([Double], Double) {
        let workspace = HandModelWorkspace(model: model)
        var k = [SIMD3<Double>](repeating: .zero, count: HandModel.keypointCount)
        func size(_ shape: [Double]) -> Double {
            let p = HandParameters(globalOrient: .zero, pose: model.meanPose, shape: shape, transl: .zero)
            k.withUnsafeMutableBufferPointer { model.keypoints(p, into: $0, jacobian: nil, workspace: workspace) }
            var c = SIMD3<Double>.zero
            for p in k { c += p }
            c /= Double(k.count)
            var s = 0.0
            for p in k { s += ((p - c) * (p - c)).sum() }
            return (s / Double(k.count)).squareRoot()
        }
        var g = [Double](repeating: 0, count: 10)
        for i in 0..<10 {
            var plus = [Double](repeating: 0, count: 10), minus = plus
            plus[i] = 0.5; minus[i] = -0.5
            g[i] = size(plus) - size(minus)
        }
        return (g, size([Double](repeating: 0, count: 10)))
    }

    /// The cold start's hand size from the world landmarks, in closed form: the scale that takes the
    /// model's centroid-relative keypoints (root rotation already aligned) onto the landmarks, weighed
    /// against the shape prior as the refinement weighs them, and spent along the shape direction that
    /// changes the size most (`sizeGradient`); the translation is then solved for at that size. The
    /// regressor's shape is clamped to ±2 and its size guessed from 2D evidence: on the stereo clip's
    /// photos (every third frame, default camera) the refinement moved the first shape coefficient
    /// from about -1.5 to -6 on view 0, and the depth by 12 cm. With the size from the landmarks the
    /// first step ends 7.9 / 6.5 mm (views 0 / 1, mean joint distance) from the optimum, not 43 /
    /// 15 mm. A free shape only: a track's shape (a re-initialization) stays as it is.
    func initializeSize() {
        _ = x.withUnsafeBufferPointer { problem.evaluateData(at: $0) }
        let kp = problem.keypointsBuffer, world = problem.worldCenteredLandmarks
        var c = SIMD3<Double>.zero
        for j in 0..<21 { c += SIMD3(kp[3 * j], kp[3 * j + 1], kp[3 * j + 2]) }
        c /= 21
        var qq = 0.0, qw = 0.0
        for j in 0..<21 {
            let q = SIMD3(kp[3 * j], kp[3 * j + 1], kp[3 * j + 2]) - c
            qq += (q * q).sum()
            qw += (q * (problem.worldScale * world[j])).sum()
        }
        guard qq > 0 else { return }
        // Relative size error e, and the world term's curvature along a relative change of size.
        let e = qw / qq - 1
        let information = qq / (settings.weights.worldSigma * settings.weights.worldSigma)
        var size = meanSize, norm = 0.0
        for i in 0..<10 { size += sizeGradient[i] * x[48 + i]; norm += sizeGradient[i] * sizeGradient[i] }
        norm = norm.squareRoot()
        guard size > 0, norm > 0 else { return }
        // Along the unit direction d = g / |g|, a step t changes the relative size by t |g| / size;
        // the prior (centre zero for a free shape) costs |beta + t d|^2 / sigma^2.
        let rate = norm / size, prior = 1 / (settings.weights.shapeSigma * settings.weights.shapeSigma)
        var along = 0.0
        for i in 0..<10 { along += x[48 + i] * sizeGradient[i] / norm }
        let t = (information * e * rate - prior * along) / (information * rate * rate + prior)
        for i in 0..<10 { x[48 + i] += t * sizeGradient[i] / norm }
    }

    /// Sets the refinement's reprojection and world-landmark weights to warm frames'
    /// (`FitWeights.warmPixelSigma`, `FitWeights.warmWorldJointWeights`).
    func useWarmWeights() {
        problem.weights.pixelSigma = settings.weights.warmPixelSigma ?? settings.weights.pixelSigma
        problem.weights.worldJointWeights = settings.weights.warmWorldJointWeights ?? settings.weights.worldJointWeights
    }

    /// The data cost per keypoint of the solution in `x` by which fits are judged (a jump, or a
    /// cold fit that does better than the warm one): warm frames' reprojection weight (cold fits weigh
    /// reprojection less: `FitWeights.warmPixelSigma`), so warm and cold fits compare like for like,
    /// and every world landmark a cold fit weighs. The warm fit leaves out landmarks it does not trust
    /// for its pose (`FitWeights.warmWorldJointWeights`), but a cold fit that flips a thumb or finger
    /// in depth shows there: judged without them, a self-augmented regressor's cold fits replaced
    /// good warm ones in view 1's frames 327–347 of the stereo clip (cross-view over frames 252–377
    /// 16.4 mm, against 11.1 judged with them), and `handmesh bench fit` re-initialized 11.0% of
    /// warm frames, against 9.6%.
    ///
    /// The world landmarks are first turned onto the fit (`HandFitProblem.articulationCost`):
    /// they judge the hand's articulation, not its orientation. The network's world hand can turn
    /// away from the hand for many frames at a time: on view 0 of the stereo clip, frames 326–345, it
    /// sits 49 mm (root mean square, centroid-relative) from a warm fit that the other view confirms
    /// and 15 mm once turned. Judged with their orientation, a cold fit that follows them won at
    /// frame 326 whenever the jump test let one try (`jumpFactor` 3) and held the track there for 20
    /// frames: cross-view over frames 252–377 23.0 mm for files and 43.3 live, against 10.7 and 11.6;
    /// judged turned, 10.7 and 11.6 at factor 3 too (`FitSettings.jumpFactor` has the rest).
    /// Leaves the warm weights set.
    func judgedCost(visible: Double) -> Double {
        useWarmWeights()
        problem.weights.worldJointWeights = settings.weights.worldJointWeights
        let cost = x.withUnsafeBufferPointer { problem.articulationCost(at: $0) } / visible
        useWarmWeights()
        return cost
    }

    /// Moves the smoothed hand sideways, at its smoothed depth, onto this frame's keypoints: the
    /// filter's lag in the image is what an overlay shows, and a sideways shift leaves the smoothed
    /// articulation (and its jitter) as it is.
    func anchorOutput(on evidence: FitEvidence) {
        let filtered = SIMD3(output[58], output[59], output[60])
        output[58] = 0; output[59] = 0; output[60] = 0
        _ = output.withUnsafeBufferPointer { problem.evaluateData(at: $0) }
        let t = HandRegressor.solveTranslation(local: problem.keypointsBuffer, evidence: evidence, camera: settings.camera,
                                               depth: filtered.z) ?? filtered
        output[58] = t.x; output[59] = t.y; output[60] = t.z
    }

    /// Poses this fitter's hand (its track's bone factors included) at `parameters` (61, in
    /// `HandFitProblem`'s order: a smoothed solution, say) and writes it into `result`'s parameters,
    /// joints and vertices; the fit's own figures (iterations, time) are left as they are.
    public func evaluate(_ parameters: UnsafeBufferPointer<Double>, into result: inout HandFitResult) {
        for i in 0..<61 { output[i] = parameters[i] }
        let reprojection = result.reprojectionPixels
        write(result: &result)
        result.reprojectionPixels = reprojection
    }

    /// Evaluates the reported parameters into `result`.
    func write(result: inout HandFitResult) {
        let cost = output.withUnsafeBufferPointer { problem.evaluateData(at: $0) }
        result.reprojectionPixels = cost.meanPixelError
        let kp = problem.keypointsBuffer
        for j in 0..<21 {
            let p = SIMD3(kp[3 * j], kp[3 * j + 1], kp[3 * j + 2])
            result.joints3d[j] = p
            result.joints2d[j] = settings.camera.project(p)
        }
        result.parameters.globalOrient = SIMD3(output[0], output[1], output[2])
        for i in 0..<45 { result.parameters.pose[i] = output[3 + i] }
        for i in 0..<10 { result.parameters.shape[i] = output[48 + i] }
        result.parameters.transl = SIMD3(output[58], output[59], output[60])
        let factors = problem.boneScaling.values
        for b in 0..<BoneLengths.count { result.boneFactors[b] = factors[b] }
        if settings.includeVertices {
            if result.vertices.count != model.vertexCount {
                result.vertices = [SIMD3<Double>](repeating: .zero, count: model.vertexCount)
            }
            let p = result.parameters, m = model, ws = vertexWorkspace, bones = problem.boneScaling
            result.vertices.withUnsafeMutableBufferPointer { v in
                m.vertices(p, into: v, jacobian: nil, workspace: ws)
                // The keypoints above carry the track's bone lengths: so does the mesh.
                if !bones.isIdentity {
                    m.stretchBones(v, posed: bones.rawKeypoints, scaled: kp.baseAddress!, factors: bones.values)
                }
            }
        } else if !result.vertices.isEmpty {
            result.vertices = []
        }
    }
}
