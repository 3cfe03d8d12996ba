import Fitting
import Foundation
import HandModel
import Render

/// Mask2Hand's cold start as a search: the mask regressor's one guess is often turned, mirrored
/// (palm for back: the two silhouettes are mirror images) or the wrong size, and a local fit from a
/// wrong guess settles inside the mask as a smaller or curled hand. So a cold start fits several
/// hypotheses, each a transform of the regressor's keypoint evidence, each refined coarse to fine by
/// the fitter's own cold path (keypoints, then the outline at σ 4 then 0.6), and keeps the one whose
/// mesh covers the mask best over the whole frame. Warm frames never come here.
///
/// The hypotheses (`hypotheses`): the estimate, its mirror image about the hand's long axis, and
/// turns about the viewing axis; then the best of them rescaled (its keypoints spread about the
/// mask's centre, so the fit moves nearer or further) until the mesh's area meets the hand's.
///
/// One per fitting side; it owns a pool of fitters (made once, then reused) and a full-frame
/// silhouette, so it is not Sendable and belongs to one thread.
public final class MaskColdStart {
    /// One transform of the evidence: turned by `angle` (radians, image x toward y) about the mask's
    /// centre, mirrored about the hand's long axis first when `mirrored`.
    public struct Hypothesis: Sendable, Equatable {
        public var angle: Double
        public var mirrored: Bool
        public init(angle: Double, mirrored: Bool) {
            self.angle = angle
            self.mirrored = mirrored
        }
    }

    /// The estimate as it is (fitted before the search), its mirror, and turns of ±45° and 180°.
    public var hypotheses: [Hypothesis] = [
        Hypothesis(angle: 0, mirrored: false), Hypothesis(angle: 0, mirrored: true),
        Hypothesis(angle: .pi / 4, mirrored: false), Hypothesis(angle: -.pi / 4, mirrored: false),
        Hypothesis(angle: .pi, mirrored: false),
    ]

    public let model: HandModel
    private let workspace: HandModelWorkspace
    private var pool: [HandFitter] = []
    private var full: MeshSilhouette?
    private var candidate = HandFitResult()
    private var transformed = FitEvidence(keypoints: [SIMD2<Double>](repeating: .zero, count: 21), world: nil)

    public init(model: HandModel) {
        self.model = model
        workspace = HandModelWorkspace(model: model)
    }

    /// Full-frame pixel counts of the hand at `parameters`, drawn with `camera`, against `mask`.
    public func overlap(_ parameters: HandParameters, boneFactors: [Double]? = nil, camera: RenderCamera, mask: MaskView) -> MaskOverlap {
        if full?.width != mask.width || full?.height != mask.height { full = MeshSilhouette(width: mask.width, height: mask.height) }
        full!.draw(model: model, parameters: parameters, boneFactors: boneFactors, camera: camera, workspace: workspace)
        return full!.overlap(mask)
    }

    /// Rounds of rescaling the best hypothesis so that its area meets the hand's.
    public var scaleRounds = 2

    /// `fitter` has just fitted `evidence` cold into `result`, with `term` aimed at `mask`. Fits the
    /// hypotheses with fitters like it (`makeFitter` makes them, once), then rescales the best by
    /// area, and returns the fitter whose fit covers the mask best, its result in `result` and its
    /// full-frame overlap. The returned fitter replaces `fitter` for the track; `fitter` joins the pool.
    public func search(fitter: HandFitter, result: inout HandFitResult, evidence: FitEvidence, term: SilhouetteFitTerm,
                       mask: MaskView, region: MaskRegion, camera: PinholeCamera, time: Double,
                       makeFitter: () -> HandFitter) -> (fitter: HandFitter, overlap: MaskOverlap) {
        let renderCamera = RenderCamera(camera)
        var bestOverlap = overlap(result.parameters, camera: renderCamera, mask: mask)
        var best = (hypothesis: Hypothesis(angle: 0, mirrored: false), scale: 1.0, index: -1)
        while pool.count < hypotheses.count + scaleRounds { pool.append(makeFitter()) }
        let started = result.milliseconds
        var spent = 0.0
        var used = 0
        func attempt(_ h: Hypothesis, scale: Double) -> Bool {
            transform(evidence, h, scale: scale, center: region.center, camera: camera)
            let f = pool[used]
            f.settings = fitter.settings
            f.extraTerm = term
            term.setTarget(mask: mask, around: transformed.keypoints, including: region)
            f.fit(transformed, time: time, continuesTrack: false, into: &candidate)
            spent += candidate.milliseconds
            used += 1
            let o = overlap(candidate.parameters, camera: renderCamera, mask: mask)
            guard o.intersectionOverUnion > bestOverlap.intersectionOverUnion else { return false }
            bestOverlap = o
            best = (h, scale, used - 1)
            swap(&result, &candidate)
            return true
        }
        for h in hypotheses where h != best.hypothesis { _ = attempt(h, scale: 1) }
        // Area goes with the inverse square of depth: the scale at which the mesh's area is the hand's.
        for _ in 0..<scaleRounds {
            guard bestOverlap.drawn > 0 else { break }
            let factor = (Double(region.pixelCount) / Double(bestOverlap.drawn)).squareRoot()
            let scale = min(2.5, max(0.4, best.scale * factor))
            if abs(scale / best.scale - 1) < 0.04 || !attempt(best.hypothesis, scale: scale) { break }
        }
        fitter.extraTerm = nil
        var winner = fitter
        if best.index >= 0 {
            winner = pool[best.index]
            pool[best.index] = fitter
        }
        // The winner's term stays aimed where the next warm frame starts.
        winner.extraTerm = term
        result.milliseconds = started + spent
        result.warm = false
        return (winner, bestOverlap)
    }

    /// `evidence` under `h` and `scale` about `center` (pixels), into `transformed`: the keypoints
    /// move in the image, the world landmarks turn with them (about the ray through `center`, or
    /// half a turn about the hand's axis for the mirror), so the fitter's rotation follows.
    func transform(_ evidence: FitEvidence, _ h: Hypothesis, scale: Double, center: SIMD2<Double>, camera: PinholeCamera) {
        transformed.confidence = evidence.confidence
        transformed.hasWorld = evidence.hasWorld
        transformed.isLeft = evidence.isLeft
        let ray = camera.undistort(center)
        let view = SIMD3(ray.x, ray.y, 1) / (ray.x * ray.x + ray.y * ray.y + 1).squareRoot()
        var rotation = AxisAngle.matrix(view * h.angle)
        var axis = evidence.keypoints[9] - evidence.keypoints[0]
        let length = (axis * axis).sum().squareRoot()
        axis = length > 1e-9 ? axis / length : SIMD2(0, -1)
        if h.mirrored { rotation = rotation * AxisAngle.matrix(SIMD3(axis.x, axis.y, 0) * .pi) }
        let c = cos(h.angle), s = sin(h.angle)
        var lo = SIMD2<Double>(repeating: .infinity), hi = -lo
        for j in 0..<21 {
            var d = evidence.keypoints[j] - center
            if h.mirrored {
                // Reflection about the line through the centre along the hand's axis.
                d = 2 * (d * axis).sum() * axis - d
            }
            d = SIMD2(c * d.x - s * d.y, s * d.x + c * d.y) * scale
            let p = center + d
            transformed.keypoints[j] = p
            lo = pointwiseMin(lo, p)
            hi = pointwiseMax(hi, p)
            transformed.world[j] = rotation * evidence.world[j]
        }
        transformed.roiCenter = 0.5 * (lo + hi)
        transformed.roiSize = max(2 * max(hi.x - lo.x, hi.y - lo.y), 1)
    }
}
