import Foundation
import HandModel

/// Self-data augmentation (Baek et al., CVPR 2019, the third of its contributions): hands fitted to real footage
/// give realistic poses and shapes; new viewpoints and shapes are drawn around them and the
/// regressor is trained on the result, mixed with hands sampled from the model alone.
public struct SelfAugmentation: Sendable, Equatable {
    /// Share of training samples drawn around the fits; the rest come from the model alone, which
    /// keeps the poses and views real footage has not shown (the stereo clip's fits hold about 700
    /// confident frames of one hand). Measured on its held-out third (README, "Self-data
    /// augmentation"): 0.15 gave the full pipeline 7.67 / 7.73 mm against triangulated points,
    /// 0.25 gave 7.84 / 7.84 mm, 0.5 a worse regressor alone than the model-only one.
    public var realShare = 0.15
    /// Rotation about the hand's own axes, standard deviation of the angle (radians, ~23°); the
    /// rotation about the camera's optical axis is uniform over the full turn.
    public var ownAxisSigma = 0.4
    /// Per-component pose perturbation (radians), then clamped into the joint limits.
    public var poseSigma = 0.08
    /// Shape drawn around the fitted one with this fraction of the population's unit spread.
    public var shapeSpread = 0.5
    /// Whether a sample's world landmarks are its frame's own, turned with the hand, rather than
    /// synthesized: they carry the landmark network's real distortions (on the stereo clip its
    /// proximal phalanges are 16–21 mm where triangulation gives 28–40 mm, README "Fitting"),
    /// which the synthesizer's small noise does not model.
    public var recordedWorld = true

    public init() {}

    /// A pose, shape and root rotation around `frame`, drawn with `rng`.
    public func sample(around frame: FittedFrame, limits: [ClosedRange<Double>],
                       rng: inout SeededRandom) -> (pose: [Double], shape: [Double], rotation: Mat3) {
        var pose = frame.pose
        for i in 0..<45 {
            pose[i] = min(limits[i].upperBound, max(limits[i].lowerBound, pose[i] + poseSigma * rng.gaussian()))
        }
        // Clipped at the model prior's 2.5 sigma, as PoseSampler.sampleShape.
        let shape = frame.shape.map { min(2.5, max(-2.5, $0 + shapeSpread * rng.gaussian())) }
        let own = AxisAngle.matrix(SIMD3(rng.gaussian(), rng.gaussian(), rng.gaussian()) * (ownAxisSigma / 3.0.squareRoot()))
        let roll = AxisAngle.matrix(SIMD3(0, 0, rng.uniform(-.pi, .pi)))
        return (pose, shape, roll * AxisAngle.matrix(frame.globalOrient) * own)
    }
}
