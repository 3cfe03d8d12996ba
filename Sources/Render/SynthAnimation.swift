import Foundation
import HandModel

/// The motion of a synthetic clip: a hand blending through gestures (open, pinch, fist, point, thumbs-up, victory, OK…)
/// while the forearm rolls and tilts and the wrist bends, seen palm-on from a camera half a metre away.
///
/// The hand is upright with the palm to the camera at rest (fingers up, thumb to the image's right for a
/// right hand); the forearm leaves the wrist downward, out of the picture's bottom edge. Motions are sums
/// of slow sinusoids and eased gesture blends: smooth enough for MediaPipe's tracking to follow, varied
/// enough to exercise the fit. Everything follows from the seed.
public struct SynthAnimation: Sendable {
    public struct Pose: Sendable {
        public var parameters: HandParameters
        /// The forearm's rotation (camera from model frame): the hand's global rotation without the wrist bend.
        public var armRotation: Mat3
        public var gesture: String
        /// How much of the pose is `gesture`: 1 while a gesture is held, down to 0.5 halfway through a blend.
        public var gestureWeight: Double

        public init(parameters: HandParameters, armRotation: Mat3, gesture: String, gestureWeight: Double = 1) {
            self.parameters = parameters
            self.armRotation = armRotation
            self.gesture = gesture
            self.gestureWeight = gestureWeight
        }
    }

    public let frameCount: Int
    public let fps: Double
    public let side: HandSide
    let articulation: HandArticulation
    let keyGestures: [HandGesture]
    public let shape: [Double]
    /// Camera from model frame for the rest view: fingers up, palm to the camera.
    public let base: Mat3
    // Sinusoid phases and amplitudes (radians, metres) drawn from the seed.
    let rollAmplitude: Double, rollPhase: Double
    let tiltAmplitude: Double, tiltPhase: Double
    let pitchAmplitude: Double, pitchPhase: Double
    let bendAmplitude: Double, bendPhase: Double
    let centre: SIMD3<Double>
    let drift: SIMD3<Double>, driftPhase: Double

    public init(model: HandModel, frameCount: Int, fps: Double = 30, seed: UInt64 = 1) {
        precondition(frameCount > 0 && fps > 0, "SynthAnimation: \(frameCount) frames at \(fps) fps")
        self.frameCount = frameCount
        self.fps = fps
        side = model.side
        articulation = HandArticulation(model: model)
        var rng = SynthRandom(seed: seed &* 0x2545_F491_4F6C_DD1D &+ 17)
        // Gestures: start open, visit the others in a seed-dependent order, come back to open.
        var others: [HandGesture] = [.pinch, .fist, .point, .thumbsUp, .relaxed]
        for i in stride(from: others.count - 1, to: 0, by: -1) { others.swapAt(i, rng.index(i + 1)) }
        // Victory and OK come after those five, in an order of their own generator, so that clips of
        // up to six seconds (the default 90 frames among them) are the same as before they existed.
        var late = SynthRandom(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 29)
        others += late.index(2) == 0 ? [.victory, .ok] : [.ok, .victory]
        // About one gesture a second, at least two keys.
        let keys = max(2, min(others.count + 2, Int((Double(frameCount) / fps).rounded()) + 1))
        var g: [HandGesture] = [.open]
        for i in 0..<(keys - 2) { g.append(others[i % others.count]) }
        g.append(.open)
        keyGestures = g
        shape = (0..<HandParameters.shapeCount).map { _ in rng.uniform(-0.8, 0.8) }
        // Camera from model: fingers (model +x) up (camera −y), palm (model +y for a right hand) toward the
        // camera (−z), and the third axis completing a rotation.
        let a = articulation
        let fingersUp = SIMD3<Double>(0, -1, 0), palmToCamera = SIMD3<Double>(0, 0, -1)
        // The palm normal is only nearly perpendicular to the finger direction: orthonormalize.
        let n0 = a.palmNormal - (a.palmNormal * a.fingerDirection).sum() * a.fingerDirection
        let normal = n0 / (n0 * n0).sum().squareRoot()
        let thirdModel = Self.cross(a.fingerDirection, normal), thirdCamera = Self.cross(fingersUp, palmToCamera)
        // R maps the model basis (finger, normal, third) to the camera basis (up, toward camera, third).
        let m = Mat3(a.fingerDirection, normal, thirdModel), c = Mat3(fingersUp, palmToCamera, thirdCamera)
        base = c * m.transposed
        rollAmplitude = rng.uniform(0.6, 1.0)
        rollPhase = rng.uniform(0, 2 * .pi)
        tiltAmplitude = rng.uniform(0.15, 0.35)
        tiltPhase = rng.uniform(0, 2 * .pi)
        pitchAmplitude = rng.uniform(0.1, 0.3)
        pitchPhase = rng.uniform(0, 2 * .pi)
        bendAmplitude = rng.uniform(0.15, 0.3)
        bendPhase = rng.uniform(0, 2 * .pi)
        centre = SIMD3(rng.uniform(-0.02, 0.02), rng.uniform(0.06, 0.09), rng.uniform(0.46, 0.52))
        drift = SIMD3(rng.uniform(0.01, 0.03), rng.uniform(0.005, 0.015), rng.uniform(0.01, 0.03))
        driftPhase = rng.uniform(0, 2 * .pi)
    }

    static func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
        SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
    }

    /// The gesture blend at frame `i`: eased (smoothstep) from one key to the next, holding briefly at each.
    public func gesture(at i: Int) -> HandGesture {
        let (k, t) = blend(at: i)
        return keyGestures[k].blended(with: keyGestures[k + 1], t)
    }

    /// The weight of the gesture `gesture(at:)` names: 1 where a key gesture is held.
    public func gestureWeight(at i: Int) -> Double {
        let t = blend(at: i).t
        return max(t, 1 - t)
    }

    /// The key gesture a frame blends from, and how far (0...1) it is toward the next.
    private func blend(at i: Int) -> (k: Int, t: Double) {
        let segments = keyGestures.count - 1
        let u = frameCount > 1 ? Double(i) / Double(frameCount - 1) * Double(segments) : 0
        let k = min(Int(u), segments - 1)
        // Hold the first and last fifth of each segment, so a gesture is seen whole.
        let f = min(max((u - Double(k) - 0.2) / 0.6, 0), 1)
        return (k, f * f * (3 - 2 * f))
    }

    public func pose(at i: Int) -> Pose {
        let time = Double(i) / fps
        let a = articulation
        // Forearm roll (pronation/supination) about the finger axis, in-plane tilt about the camera's view
        // axis, and a pitch toward the camera; the wrist bends (flexion) about the model's flexion axis.
        let roll = rollAmplitude * sin(2 * .pi * time / 2.7 + rollPhase)
        let tilt = tiltAmplitude * sin(2 * .pi * time / 3.9 + tiltPhase)
        let pitch = pitchAmplitude * sin(2 * .pi * time / 3.3 + pitchPhase)
        let bend = bendAmplitude * sin(2 * .pi * time / 2.2 + bendPhase)
        let wristAxis = Self.cross(a.fingerDirection, a.palmNormal)   // bending the hand toward the palm
        let arm = AxisAngle.matrix(SIMD3(0, 0, tilt)) * AxisAngle.matrix(SIMD3(pitch, 0, 0)) * base
            * AxisAngle.matrix(roll * a.fingerDirection)
        let hand = arm * AxisAngle.matrix(bend * wristAxis)
        let g = gesture(at: i)
        let w = 2 * Double.pi * time / 4.4 + driftPhase
        let transl = centre + drift * SIMD3(sin(w), sin(1.3 * w), cos(0.7 * w))
        let p = HandParameters(globalOrient: AxisAngle.vector(hand), pose: a.pose(g.jointAngles), shape: shape, transl: transl)
        return Pose(parameters: p, armRotation: arm, gesture: g.name, gestureWeight: gestureWeight(at: i))
    }
}
