import Foundation
import HandModel

/// A synthetic hand with its true parameters and the evidence a landmark model would report.
public struct SyntheticHand: Sendable {
    public var parameters: HandParameters
    public var joints: [SIMD3<Double>]
    public var evidence: FitEvidence
    public var camera: PinholeCamera
}

/// Realistic evidence for hands sampled from the model: the keypoints projected through a camera
/// with pixel noise that scales with the hand's image size, occasional gross errors and dropped
/// keypoints; world landmarks centred near the hand, with per-joint noise, a small global
/// rotation and a scale error, as real landmark models show.
public struct EvidenceSynthesizer: Sendable {
    /// Keypoint noise as a fraction of the ROI side. On the stereo-hand clip MediaPipe's 2D
    /// landmarks jitter by about 1.3 px frame to frame on a ~400 px ROI (0.3%, from the second
    /// differences); 0.5% allows for error that does not show as jitter.
    public var pixelNoise = 0.005
    /// Per-joint world-landmark noise, metres: the same clip's world landmarks jitter by about
    /// 1 mm per joint; their systematic error is larger.
    public var worldNoise = 0.003
    /// Standard deviation of the world landmarks' global rotation error, radians (~4 degrees).
    public var worldRotationNoise = 0.07
    /// Standard deviation of the world landmarks' scale error.
    public var worldScaleNoise = 0.05
    /// Probability a keypoint is dropped (confidence zero, position random within the ROI).
    public var dropout = 0.02
    /// Probability a keypoint is a gross error (moved by a quarter of the ROI).
    public var outliers = 0.01
    /// Range of hand distances, metres.
    public var distance: ClosedRange<Double> = 0.25...1.0
    /// Whether a sampled hand's keypoints take the landmark network's proportions
    /// (`HandModel.landmarkBoneFactors`), as a landmark network reports them and as a fit with
    /// `FitSettings.landmarkProportions` reads them; otherwise the model's own.
    public var landmarkProportions = true

    public init() {}

    /// A noise-free version (for the recovery test's clean case).
    public static var clean: EvidenceSynthesizer {
        var s = EvidenceSynthesizer()
        s.pixelNoise = 0; s.worldNoise = 0; s.worldRotationNoise = 0; s.worldScaleNoise = 0
        s.dropout = 0; s.outliers = 0
        return s
    }

    /// Places the hand with uniformly random orientation at a random distance, inside the
    /// image, and synthesizes its evidence. `parameters` holds pose and shape; translation is
    /// drawn here, and the orientation too unless given.
    public func synthesize(model: HandModel, pose: [Double], shape: [Double], camera: PinholeCamera,
                           width: Int, height: Int, rotation given: Mat3? = nil, rng: inout SeededRandom) -> SyntheticHand {
        var p = HandParameters(pose: pose, shape: shape)
        let rotation = given ?? AxisAngle.random(&rng)
        p.globalOrient = AxisAngle.vector(rotation)
        let local = keypoints(model, p)
        var centroid = SIMD3<Double>.zero
        for k in local { centroid += k }
        centroid /= Double(local.count)
        // Keep the hand's centroid in the central 60% of the image at the chosen depth, and every
        // keypoint inside the frame (a landmark model reports nothing beyond it, and a strong
        // distortion polynomial is meaningless there): otherwise try again, a little further away.
        var z = rng.uniform(distance.lowerBound, distance.upperBound)
        for attempt in 0..<50 {
            let u = rng.uniform(0.2, 0.8) * Double(width), v = rng.uniform(0.2, 0.8) * Double(height)
            let target = SIMD3((u - camera.cx) / camera.fx * z, (v - camera.cy) / camera.fy * z, z)
            p.transl = target - centroid
            let inside = local.allSatisfy { k in
                let q = k + p.transl
                guard q.z > 0.05 else { return false }
                let n = SIMD2(q.x / q.z, q.y / q.z)
                let px = SIMD2(camera.fx * n.x + camera.cx, camera.fy * n.y + camera.cy)
                return px.x >= 0 && px.y >= 0 && px.x < Double(width) && px.y < Double(height)
            }
            if inside || attempt == 49 { break }
            z *= 1.05
        }
        let joints = local.map { $0 + p.transl }
        return SyntheticHand(parameters: p, joints: joints,
                             evidence: evidence(for: joints, camera: camera, rng: &rng), camera: camera)
    }

    /// The keypoints a landmark network would place on `model` at `p` (`landmarkProportions`).
    public func keypoints(_ model: HandModel, _ p: HandParameters) -> [SIMD3<Double>] {
        landmarkProportions ? model.keypoints(p, boneFactors: model.landmarkBoneFactors) : model.keypoints(p)
    }

    /// The mesh that goes with `keypoints(_:_:)`: stretched with them (`BoneLengths`).
    public func vertices(_ model: HandModel, _ p: HandParameters) -> [SIMD3<Double>] {
        landmarkProportions ? model.vertices(p, boneFactors: model.landmarkBoneFactors) : model.vertices(p)
    }

    /// Evidence for known camera-frame keypoints.
    public func evidence(for joints: [SIMD3<Double>], camera: PinholeCamera, isLeft: Bool = false,
                         rng: inout SeededRandom) -> FitEvidence {
        let clean = joints.map { camera.project($0) }
        var lo = clean[0], hi = clean[0]
        for q in clean { lo = pointwiseMin(lo, q); hi = pointwiseMax(hi, q) }
        // MediaPipe's ROI: about twice the keypoints' extent, with some jitter in place and size.
        let extent = max(hi.x - lo.x, hi.y - lo.y, 1)
        let roiSize = 2 * extent * rng.uniform(0.85, 1.15)
        let roiCenter = 0.5 * (lo + hi) + SIMD2(rng.gaussian(), rng.gaussian()) * 0.05 * extent
        var keypoints = clean
        var confidence = [Double](repeating: 1, count: joints.count)
        let sigma = pixelNoise * roiSize
        for j in 0..<joints.count {
            keypoints[j] += SIMD2(rng.gaussian(), rng.gaussian()) * sigma
            if rng.uniform() < outliers {
                keypoints[j] += SIMD2(rng.gaussian(), rng.gaussian()) * 0.25 * extent
            }
            if rng.uniform() < dropout {
                confidence[j] = 0
                keypoints[j] = roiCenter + SIMD2(rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5)) * roiSize
            }
        }
        // World landmarks: camera axes, origin at the centroid, rotated and scaled a little.
        var c = SIMD3<Double>.zero
        for q in joints { c += q }
        c /= Double(joints.count)
        let r = AxisAngle.matrix(SIMD3(rng.gaussian(), rng.gaussian(), rng.gaussian()) * worldRotationNoise)
        let s = 1 + worldScaleNoise * rng.gaussian()
        let world = joints.map { q -> SIMD3<Double> in
            s * (r * (q - c)) + SIMD3(rng.gaussian(), rng.gaussian(), rng.gaussian()) * worldNoise
        }
        return FitEvidence(keypoints: keypoints, confidence: confidence, world: world, isLeft: isLeft,
                           roiCenter: roiCenter, roiSize: roiSize)
    }
}
