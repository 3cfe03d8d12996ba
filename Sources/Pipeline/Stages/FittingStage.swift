import Evidence
import Fitting
import HandModel
import Records
import Render
import Silhouette
import Video

/// Regression + refinement. Reads each hand's `HandEvidence` (landmarks, world landmarks, ROI, label,
/// track) and the frame's mask when it has one; writes each hand's `FittedHand` (the person's hand,
/// parameters, bone factors, joints in 3D and 2D, vertices when the stream asks, and the fit's
/// summary).
///
/// Each track keeps its own fitter (warm starts, its shape estimate, its filter); a track that
/// disappears is forgotten, and a hand that reappears starts cold, from the stream's last shape
/// estimate for its side (a person's hand does not change when it leaves the view). The camera is the stream's
/// configured intrinsics (distortion honoured) or, without them, `PinholeCamera`'s stated
/// default field of view for the frame's size.
///
/// When a frame carries a mask (`work.mask`), each hand's refinement adds a silhouette term that
/// pulls the mesh's outline onto the mask (`SilhouetteFitTerm`), compared over the square around
/// the hand's keypoints (and the hand's blob, in mask-only streams), and the record's
/// `fit.mask_iou` says how well the reported mesh covers the mask over the whole frame: the figure
/// `handmesh eval mask` gives. In mask-only streams a cold start searches (`MaskColdStart`).
public struct FittingStage: FrameStage {
    public let name = "fit"
    /// With `withMask`, the frame's mask too (the silhouette term and `fit.mask_iou`).
    public var reads: Set<FramePart> { state.withMask ? [.frame, .evidence, .mask] : [.frame, .evidence] }
    public var writes: Set<FramePart> { [.fit] }
    /// The regressor, named by its layout (its weights are committed with the source).
    public let models: [ModelDescription]
    /// With two-pass smoothing, the smoother's lag: each frame waits for that many later frames.
    public let lookahead: Int
    private let state: FittingState

    /// `handModel` is the config's `model` ("builtin" or "mano:PATH"), loaded once for both sides;
    /// `regressor` nil loads the committed weights; `filter` nil switches the jitter filter off.
    /// `smootherLag` switches two-pass smoothing on (`TrackSmoother`; give `filter` nil with it).
    /// `evidenceFromMask`: the keypoints come from the mask regressor (mask-only streams), rough
    /// guesses that the silhouette should overrule, so they weigh less. `withMask`: frames come with
    /// a mask (either kind of mask stream), whose outline shares the say with the keypoints.
    public init(handModel: String = "builtin", regressor: HandRegressor? = nil,
                filter: HandFilterSettings? = .standard, smootherLag: Int? = nil, evidenceFromMask: Bool = false,
                withMask: Bool = false) throws {
        let r = try regressor ?? HandRegressor.bundled()
        let right = try HandModel.named(handModel, side: .right)
        let left = try HandModel.named(handModel, side: .left)
        state = FittingState(regressor: r, filter: filter, right: right, left: left)
        state.evidenceFromMask = evidenceFromMask
        state.withMask = withMask || evidenceFromMask
        state.smootherLag = smootherLag
        lookahead = smootherLag ?? 0
        models = [
            ModelDescription(name: "hand_model", version: right.source),
            ModelDescription(name: "fit_regressor", version: "mlp-" + r.network.sizes.map(String.init).joined(separator: "-")),
        ]
    }

    public mutating func process(_ work: inout FrameWork) {
        state.process(&work)
    }

    public mutating func complete(_ work: inout FrameWork) {
        state.complete(&work)
    }
}

/// The per-track fitters. A stage runs on its own serial queue and is used from that queue only
/// (FrameStage's contract), so this mutable state is never touched concurrently; the fitters
/// hold non-Sendable workspaces, hence the unchecked conformance, confined to this file.
private final class FittingState: @unchecked Sendable {
    let regressor: HandRegressor
    let filter: HandFilterSettings?
    var fitters: [Int: HandFitter] = [:]
    var sides: [Int: HandSideVote] = [:]
    var silhouettes: [Int: SilhouetteFitTerm] = [:]
    /// The last shape estimate of each side's ended tracks, for the next track of that side.
    var lastShapes: [HandSide: TrackShape] = [:]
    /// Two-pass smoothing: each fitter's smoother (a track's fitter is replaced when its side
    /// changes, and the two are smoothed apart), and the lag.
    var smootherLag: Int?
    var smoothers: [ObjectIdentifier: TrackSmoothing] = [:]
    var smoothed = [Double](repeating: 0, count: TrackSmoother.parameterCount)
    /// Per side: the full-frame IoU of reported hands, and the mask-only cold start's search.
    var maskFits: [HandSide: MaskColdStart] = [:]
    /// Per side: a fitter kept for a mask-only track's restart (`restart`).
    var spares: [HandSide: HandFitter] = [:]
    /// A mask-only track's unfiltered fit, whose IoU decides a restart.
    var tracked = HandParameters()
    var evidenceFromMask = false
    var withMask = false
    var seen: Set<Int> = []
    var evidence = FitEvidence(keypoints: [SIMD2<Double>](repeating: .zero, count: 21), world: nil)
    var result = HandFitResult()
    /// The other side's cold fit, while a new track's side is unsure.
    var otherResult = HandFitResult()

    let right: HandModel
    let left: HandModel

    init(regressor: HandRegressor, filter: HandFilterSettings?, right: HandModel, left: HandModel) {
        self.regressor = regressor
        self.filter = filter
        self.right = right
        self.left = left
    }

    func process(_ work: inout FrameWork) {
        let camera = work.pinholeCamera
        let still = work.context.stillImages
        if still {
            // Photos are unrelated: nothing of one (warm start, shape, side, filter) reaches the next.
            fitters.removeAll(keepingCapacity: true)
            sides.removeAll(keepingCapacity: true)
            silhouettes.removeAll(keepingCapacity: true)
        }
        seen.removeAll(keepingCapacity: true)
        for h in work.hands.indices {
            let hand = work.hands[h].evidence
            readEvidence(hand)
            seen.insert(hand.track)

            // 1. The track's side, in the image's geometry: the label names the person's hand, and a
            //    mirrored image shows it as the other one.
            let mirrored = work.context.mirrored
            var vote = sides[hand.track] ?? HandSideVote()
            let newTrack = sides[hand.track] == nil
            if evidenceFromMask {
                // A silhouette cannot tell; the stream says which hand its masks show.
                vote.decide((hand.handedness == .right) != mirrored ? .right : .left)
            } else {
                let labelRight = (hand.handedness == .right) != mirrored
                let networkRight = Double(labelRight ? hand.handednessScore : 1 - hand.handednessScore)
                let frameVote = evidence.hasWorld
                    ? evidence.world.withUnsafeBufferPointer { HandSideVote.frameVote(world: $0, networkRightProbability: networkRight) }
                    : HandSideVote.frameVote(world: nil, networkRightProbability: networkRight)
                vote.add(frameVote)
            }

            // 2. The fit: a new track whose side is unsure is fitted cold with both sides, and the
            //    costs vote; a track whose votes crossed over is refitted cold with the other side.
            let fitter: HandFitter
            let silhouette: SilhouetteFitTerm?
            if newTrack && !evidenceFromMask && !vote.isSure {
                (fitter, silhouette) = fitBothSides(&vote, track: hand.track, work: work, camera: camera, still: still)
            } else {
                let changed = vote.settle()
                let side = vote.side ?? .right
                if let existing = fitters[hand.track], existing.model.side == side, !changed {
                    fitter = existing
                } else {
                    fitter = makeFitter(side: side, camera: camera, still: still)
                    fitters[hand.track] = fitter
                }
                silhouette = prepare(fitter, track: hand.track, work: work, camera: camera)
                // A new fitter starts cold by itself, from its side's carried shape if there is one.
                fitter.fit(evidence, time: work.frame.pts, into: &result)
            }
            sides[hand.track] = vote
            var searched = fitter
            var maskIoU: Float?
            if evidenceFromMask, let silhouette, let mask = work.mask, let region = work.maskRegion {
                if !result.warm {
                    let best = search(fitter, term: silhouette, mask: mask, region: region, track: hand.track, work: work, camera: camera)
                    searched = best.fitter
                    maskIoU = Float(best.iou)
                } else {
                    // Whether the track still follows the hand is the unfiltered fit's to say: the
                    // filter's lag is not the track's error. Without a filter it is the reported fit.
                    let filtered = fitter.settings.filter != nil
                    if filtered {
                        let solution = fitter.unfilteredSolution
                        tracked.globalOrient = SIMD3(solution[0], solution[1], solution[2])
                        for i in 0..<45 { tracked.pose[i] = solution[3 + i] }
                        for i in 0..<10 { tracked.shape[i] = solution[48 + i] }
                        tracked.transl = SIMD3(solution[58], solution[59], solution[60])
                    }
                    let trackedIoU = coverage(of: fitter.model, parameters: filtered ? tracked : nil, mask: mask, cut: work.maskCut,
                                              camera: camera)
                    if !filtered { maskIoU = Float(trackedIoU) }
                    if trackedIoU < Self.maskRestartBelow {
                        (searched, maskIoU) = restart(fitter, warmIoU: trackedIoU, term: silhouette, mask: mask, region: region,
                                                      track: hand.track, work: work, camera: camera)
                    }
                }
            }
            if let lag = smootherLag, !still {
                let key = ObjectIdentifier(searched)
                if smoothers[key] == nil { smoothers[key] = TrackSmoothing(fitter: searched, track: hand.track, smoother: TrackSmoother(lag: lag)) }
                searched.unfilteredSolution.withUnsafeBufferPointer {
                    smoothers[key]!.smoother.push(frame: work.frame.index, time: work.frame.pts, parameters: $0, restart: !result.warm)
                }
            }

            // 3. The fitted hand: the person's hand, and the fit.
            // A mask's side is the stream's word (`mask_hand`), not an estimate: its score stays.
            var fitted = FittedHand(handedness: (searched.model.side == .right) != mirrored ? .right : .left,
                                    handednessScore: evidenceFromMask ? hand.handednessScore : Float(vote.probability))
            if maskIoU == nil, let mask = work.mask {
                maskIoU = Float(coverage(of: searched.model, mask: mask, cut: work.maskCut, camera: camera))
            }
            write(result, evidence: evidence, into: &fitted, maskIoU: maskIoU, wantsVertices: work.context.wantsVertices)
            if !work.maskCut.isNone {
                fitted.summary.forearmCut = ForearmCut(point: SIMD2<Float>(work.maskCut.point), towardArm: SIMD2<Float>(work.maskCut.towardArm))
            }
            work.hands[h].fit = fitted
        }
        // Tracks not seen this frame have ended.
        if fitters.count != seen.count || sides.count != seen.count {
            for (track, fitter) in fitters where !seen.contains(track) {
                if !still && fitter.trackShape.frames > 0 { lastShapes[fitter.model.side] = fitter.trackShape.carried() }
                fitters[track] = nil
            }
            for track in sides.keys where !seen.contains(track) { sides[track] = nil }
            for track in silhouettes.keys where !seen.contains(track) { silhouettes[track] = nil }
        }
        // A smoother whose fitter is gone has had its last frame.
        for (key, entry) in smoothers where !entry.ended && fitters[entry.track] !== entry.fitter { smoothers[key]!.ended = true }
    }

    /// Two-pass smoothing: a held frame's hands get their smoothed fits, posed with their track's
    /// shape as it stands now, which has seen the frames after them.
    func complete(_ work: inout FrameWork) {
        for h in work.hands.indices {
            let hand = work.hands[h]
            guard let key = smoothers.first(where: { $0.value.track == hand.track && $0.value.smoother.oldestFrame == work.frame.index })?.key
            else { continue }
            let entry = smoothers[key]!
            smoothed.withUnsafeMutableBufferPointer { _ = smoothers[key]!.smoother.takeOldest(into: $0) }
            if smoothers[key]!.smoother.count == 0 && entry.ended { smoothers[key] = nil }
            for i in 0..<10 { smoothed[48 + i] = entry.fitter.trackShape.shape[i] }
            readEvidence(hand.evidence)
            smoothed.withUnsafeBufferPointer { entry.fitter.evaluate($0, into: &result) }
            guard var fitted = hand.fit else { continue }
            result.iterations = fitted.summary.iterations
            result.milliseconds = fitted.summary.milliseconds
            result.warm = fitted.summary.warm
            let cut = fitted.summary.forearmCut
            write(result, evidence: evidence, into: &fitted, maskIoU: fitted.summary.maskIoU, wantsVertices: work.context.wantsVertices)
            fitted.summary.forearmCut = cut
            work.hands[h].fit = fitted
        }
    }

    /// A mask-only track whose unfiltered warm fit covers less of the mask than this has followed
    /// the wrong pose (a warm solve only looks near the last one), and searches again as a new track
    /// would. On the stereo clip's masks with the arm cut away, warm fits covered 0.76 mean IoU and
    /// each frame searched afresh 0.93; cold searches of photos and synth-masks reach 0.85 or more
    /// on nine in ten.
    static let maskRestartBelow = 0.85
    /// A searched fit takes over from a warm one only when it covers this much more of the mask:
    /// hypotheses a little better than the track flip the pose from frame to frame (the stereo
    /// clip's masks, before issue 16's cold starts: 31 restarts and 11.0 mm of joint jitter at no
    /// margin, 15 and 7.5 mm at 0.06, IoU 0.874 and 0.867).
    static let maskRestartMargin = 0.06

    /// Full-frame IoU of `result`'s hand with the frame's mask, up to its forearm cut.
    func coverage(of model: HandModel, parameters: HandParameters? = nil, mask: Frame, cut: WristCut, camera: PinholeCamera) -> Double {
        mask.pixels.withMaskView { view in
            maskFit(model).overlap(parameters ?? result.parameters, boneFactors: result.boneFactors, camera: RenderCamera(camera),
                                   mask: view.cutting(cut)).intersectionOverUnion
        }
    }

    /// The search of a new track, from this frame's mask regressor estimate, for a track whose warm
    /// fit covers the mask at only `warmIoU`. The searched fit replaces the warm one only if it covers
    /// the mask better; the track's fitter is then the search's winner. Returns the track's fitter and
    /// the IoU of the fit in `result` (nil when the warm one stays: its reported, filtered fit is yet to be measured).
    func restart(_ fitter: HandFitter, warmIoU: Double, term: SilhouetteFitTerm, mask: Frame, region: MaskRegion,
                 track: Int, work: FrameWork, camera: PinholeCamera) -> (HandFitter, Float?) {
        let side = fitter.model.side
        let fresh = spares[side] ?? makeFitter(side: side, camera: camera, still: work.context.stillImages)
        spares[side] = nil
        if fresh.settings.camera != camera { fresh.settings.camera = camera }
        fresh.settings.includeVertices = work.context.wantsVertices
        fresh.extraTerm = term
        let warm = result
        let warmMilliseconds = result.milliseconds
        fresh.fit(evidence, time: work.frame.pts, continuesTrack: false, into: &result)
        let (winner, searchedIoU) = search(fresh, term: term, mask: mask, region: region, track: track, work: work, camera: camera)
        if searchedIoU > warmIoU + Self.maskRestartMargin {
            spares[side] = fitter
            result.milliseconds += warmMilliseconds
            return (winner, Float(searchedIoU))
        }
        // The warm fit stays, and so does its fitter; the search's winner waits for the next restart.
        let spent = result.milliseconds
        result = warm
        result.milliseconds = warmMilliseconds + spent
        fitters[track] = fitter
        fitter.extraTerm = term
        spares[side] = winner
        return (fitter, nil)
    }

    /// The side's full-frame silhouette and cold-start search.
    func maskFit(_ model: HandModel) -> MaskColdStart {
        if let m = maskFits[model.side] { return m }
        let m = MaskColdStart(model: model)
        maskFits[model.side] = m
        return m
    }

    /// A mask-only track's cold start: the hypotheses around the regressor's estimate, the best by
    /// full-frame IoU kept (its fit in `result`, its IoU returned); the winning fitter becomes the track's.
    func search(_ fitter: HandFitter, term: SilhouetteFitTerm, mask: Frame, region: MaskRegion, track: Int,
                work: FrameWork, camera: PinholeCamera) -> (fitter: HandFitter, iou: Double) {
        let still = work.context.stillImages
        let side = fitter.model.side
        let best = mask.pixels.withMaskView { view in
            maskFit(fitter.model).search(fitter: fitter, result: &result, evidence: evidence, term: term, mask: view.cutting(work.maskCut),
                                         region: region, camera: camera, time: work.frame.pts,
                                         makeFitter: { makeFitter(side: side, camera: camera, still: still) })
        }
        fitters[track] = best.fitter
        return (best.fitter, best.overlap.intersectionOverUnion)
    }

    /// This frame's evidence for one hand, into `evidence` (the fitter's working form: doubles).
    func readEvidence(_ hand: HandEvidence) {
        for j in 0..<21 {
            evidence.keypoints[j] = SIMD2<Double>(hand.landmarks[j])
            evidence.confidence[j] = 1
            evidence.world[j] = SIMD3<Double>(hand.worldLandmarks[j])
        }
        evidence.hasWorld = true
        evidence.roiCenter = SIMD2(Double(hand.roi.centerX), Double(hand.roi.centerY))
        evidence.roiSize = Double(hand.roi.size)
    }

    /// A fitter for a new track. Still images get no jitter filter and no temporal term: each is
    /// fitted on its own.
    func makeFitter(side: HandSide, camera: PinholeCamera, still: Bool) -> HandFitter {
        var settings = FitSettings(camera: camera)
        settings.filter = still ? nil : filter
        if still { settings.fitStillImages() }
        // Two-pass: the smoother joins the frames, both ways; a temporal term would pull each fit
        // toward the one before it, a lag the smoother cannot take out (measured: see
        // `SmootherNoise.standard`).
        if let lag = smootherLag, lag > 0 { settings.temporal = false }
        if evidenceFromMask {
            // The mask regressor's keypoints are a start, not a measurement: a few times
            // looser than a landmark network's, so the outline decides the details.
            settings.weights.pixelSigma *= 4
            settings.weights.worldSigma *= 4
            // Its world landmarks are a silhouette's guess, not a measurement of the hand's size (synth
            // clips, seeds 1-3: PA-MPJPE 16.3 / 12.8 / 14.6 mm without the size from them, 17.0 / 18.8 /
            // 15.3 with; the stereo clip's masks with the arm 18.1 against 17.9 mm).
            settings.sizeFromWorld = false
        }
        if withMask { settings.fitBesideAMask() }
        let fitter = HandFitter(model: side == .left ? left : right, regressor: regressor, settings: settings)
        if !still, let shape = lastShapes[side] { fitter.reset(shape: shape) }
        return fitter
    }

    /// Points `fitter` at this frame: its camera, its side in `evidence`, vertices when asked, and
    /// the mask's silhouette term when the frame has a mask.
    func prepare(_ fitter: HandFitter, track: Int, work: FrameWork, camera: PinholeCamera) -> SilhouetteFitTerm? {
        if fitter.settings.camera != camera { fitter.settings.camera = camera }
        fitter.settings.includeVertices = work.context.wantsVertices
        evidence.isLeft = fitter.model.side == .left
        let silhouette = work.mask.map { attachSilhouette(mask: $0, to: fitter, track: track, work: work, camera: camera) }
        if silhouette == nil { fitter.extraTerm = nil }
        return silhouette
    }

    /// A new track that its evidence leaves unsure: both sides fitted cold, the lower cost votes,
    /// and the side the votes then favour is kept (its fit in `result`).
    func fitBothSides(_ vote: inout HandSideVote, track: Int, work: FrameWork, camera: PinholeCamera,
                      still: Bool) -> (HandFitter, SilhouetteFitTerm?) {
        let rightFitter = makeFitter(side: .right, camera: camera, still: still)
        _ = prepare(rightFitter, track: track, work: work, camera: camera)
        rightFitter.fit(evidence, time: work.frame.pts, into: &otherResult)
        let leftFitter = makeFitter(side: .left, camera: camera, still: still)
        let leftSilhouette = prepare(leftFitter, track: track, work: work, camera: camera)
        leftFitter.fit(evidence, time: work.frame.pts, into: &result)
        vote.add(HandSideVote.fitVote(rightCost: otherResult.dataCostPerKeypoint, leftCost: result.dataCostPerKeypoint))
        let side: HandSide = vote.logOdds >= 0 ? .right : .left
        vote.decide(side)
        guard side == .right else {
            fitters[track] = leftFitter
            return (leftFitter, leftSilhouette)
        }
        swap(&result, &otherResult)
        result.milliseconds += otherResult.milliseconds
        fitters[track] = rightFitter
        // The silhouette term now belongs to the left fitter: aim a right one at the mask.
        evidence.isLeft = false
        return (rightFitter, work.mask.map { attachSilhouette(mask: $0, to: rightFitter, track: track, work: work, camera: camera) })
    }

    /// The fit's values of `fitted`, in the records' precision.
    func write(_ result: HandFitResult, evidence: FitEvidence, into fitted: inout FittedHand, maskIoU: Float?, wantsVertices: Bool) {
        let p = result.parameters
        fitted.globalOrient = SIMD3<Float>(p.globalOrient)
        for i in 0..<45 { fitted.pose[i] = Float(p.pose[i]) }
        for i in 0..<10 { fitted.shape[i] = Float(p.shape[i]) }
        for b in 0..<20 { fitted.boneFactors[b] = Float(result.boneFactors[b]) }
        fitted.transl = SIMD3<Float>(p.transl)
        for j in 0..<21 {
            fitted.joints3d[j] = SIMD3<Float>(result.joints3d[j])
            fitted.joints2d[j] = SIMD2<Float>(result.joints2d[j])
        }
        fitted.vertices = wantsVertices ? result.vertices.flatMap { [Float($0.x), Float($0.y), Float($0.z)] } : nil
        // The record documents a root-mean-square reprojection error.
        var squared = 0.0
        for j in 0..<21 {
            let d = result.joints2d[j] - evidence.keypoints[j]
            squared += (d * d).sum()
        }
        fitted.summary = FitSummary(iterations: result.iterations, reprojectionPixels: Float((squared / 21).squareRoot()),
                                    milliseconds: result.milliseconds, warm: result.warm, maskIoU: maskIoU)
    }

    /// The track's silhouette term, aimed at `mask` around the evidence's keypoints.
    func attachSilhouette(mask: Frame, to fitter: HandFitter, track: Int, work: FrameWork, camera: PinholeCamera) -> SilhouetteFitTerm {
        let renderCamera = RenderCamera(camera)
        let term: SilhouetteFitTerm
        if let existing = silhouettes[track], existing.model.side == fitter.model.side {
            term = existing
            term.camera = renderCamera
        } else {
            // With only the mask regressor's guesses beside it, the outline gets the larger say and a
            // finer grid (measured on synth clips, seeds 1-3: mask IoU 0.83 / 0.83 / 0.87 at 48 cells and
            // σ 0.3, 0.85 / 0.84 / 0.90 at 64); beside a landmark network, 48 cells keep the cost of the
            // term under 2 ms a hand (`handmesh bench silhouette`).
            term = SilhouetteFitTerm(model: fitter.model, camera: renderCamera, gridSize: evidenceFromMask ? 64 : 48,
                                     cellSigma: evidenceFromMask ? 0.3 : 0.5)
            silhouettes[track] = term
        }
        let region = evidenceFromMask ? work.maskRegion : nil
        mask.pixels.withMaskView { term.setTarget(mask: $0.cutting(work.maskCut), around: evidence.keypoints, including: region) }
        fitter.extraTerm = term
        return term
    }
}

/// A fitter's smoother and the track it fits (`FittingState.smoothers`).
private struct TrackSmoothing {
    let fitter: HandFitter
    let track: Int
    var smoother: TrackSmoother
    var ended = false
}
