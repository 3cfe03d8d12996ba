import Foundation
import HandModel

/// The regression stage: evidence to a first estimate of rotation, pose and shape by an
/// iterative regressor (Baek et al., CVPR 2019, "Pushing the envelope for RGB-based dense 3D
/// hand pose estimation via neural rendering", section 3: a network applied repeatedly to the
/// evidence and the current estimate, each pass predicting a correction, starting from the mean).
///
/// Inputs, all in a right-hand frame (a left hand's evidence is mirrored x -> -x on the way in
/// and the estimate mirrored back on the way out, the model's own left/right convention):
/// - the 21 keypoints relative to the ROI centre over half the ROI side (about -1...1), 42;
/// - their confidences, 21 (a dropped keypoint is zero in both);
/// - the world landmarks relative to their centroid, in decimetres, 63;
/// - the handedness, 1;
/// - the current estimate: root rotation as 6D (two matrix columns), pose 45, shape 10.
/// Translation is not learned: given rotation, pose and shape it follows in closed form from the
/// keypoints and the camera (`solveTranslation`), exactly rather than approximately.
public struct HandRegressor: Sendable {
    public static let evidenceFeatures = 42 + 21 + 63 + 1
    public static let estimateCount = 6 + 45 + 10
    public static let inputCount = evidenceFeatures + estimateCount
    public static let passes = 3
    public static let hiddenSizes = [256, 256]

    public var network: MultilayerPerceptron
    /// The starting estimate: identity rotation, the model's mean pose, mean shape.
    public var start: [Float]

    public init(network: MultilayerPerceptron, start: [Float]) {
        precondition(network.inputCount == Self.inputCount && network.outputCount == Self.estimateCount,
                     "HandRegressor: network must map \(Self.inputCount) to \(Self.estimateCount)")
        precondition(start.count == Self.estimateCount, "HandRegressor: start estimate needs \(Self.estimateCount) values")
        self.network = network
        self.start = start
    }

    /// An untrained regressor (training starts here).
    public init(meanPose: [Double], seed: UInt64) {
        network = MultilayerPerceptron(sizes: [Self.inputCount] + Self.hiddenSizes + [Self.estimateCount], seed: seed)
        start = Self.startEstimate(meanPose: meanPose)
    }

    public static func startEstimate(meanPose: [Double]) -> [Float] {
        var s = [Float](repeating: 0, count: estimateCount)
        s[0] = 1; s[4] = 1
        for i in 0..<45 { s[6 + i] = Float(meanPose[i]) }
        return s
    }

    /// Buffers for one prediction.
    public struct Workspace: Sendable {
        var input: [Float]
        var output: [Float]
        var net: MultilayerPerceptron.Workspace
        public init(_ r: HandRegressor) {
            input = [Float](repeating: 0, count: HandRegressor.inputCount)
            output = [Float](repeating: 0, count: HandRegressor.estimateCount)
            net = MultilayerPerceptron.Workspace(for: r.network)
        }
    }

    /// Writes the evidence features (right-hand frame) into `out[0..<evidenceFeatures]`.
    @inline(__always)
    public static func writeFeatures(_ e: FitEvidence, into out: UnsafeMutableBufferPointer<Float>) {
        let mirror: Double = e.isLeft ? -1 : 1
        let half = 0.5 * e.roiSize
        for j in 0..<21 {
            let c = e.confidence[j] > 0 ? 1.0 : 0.0
            let d = (e.keypoints[j] - e.roiCenter) / half
            out[2 * j] = Float(c * mirror * d.x)
            out[2 * j + 1] = Float(c * d.y)
            out[42 + j] = Float(c)
        }
        if e.hasWorld {
            var centroid = SIMD3<Double>.zero
            for j in 0..<21 { centroid += e.world[j] }
            centroid /= 21
            for j in 0..<21 {
                let w = (e.world[j] - centroid) * 10
                out[63 + 3 * j] = Float(mirror * w.x)
                out[63 + 3 * j + 1] = Float(w.y)
                out[63 + 3 * j + 2] = Float(w.z)
            }
        } else {
            for i in 63..<126 { out[i] = 0 }
        }
        out[126] = e.isLeft ? 1 : 0
    }

    /// The right-hand-frame target estimate of parameters (used by training).
    public static func writeEstimate(orient: SIMD3<Double>, pose: [Double], shape: [Double], mirrored: Bool,
                                     into out: UnsafeMutableBufferPointer<Float>) {
        let r = AxisAngle.matrix(mirrored ? AxisAngle.mirrored(orient) : orient)
        out[0] = Float(r.c0.x); out[1] = Float(r.c0.y); out[2] = Float(r.c0.z)
        out[3] = Float(r.c1.x); out[4] = Float(r.c1.y); out[5] = Float(r.c1.z)
        for q in 0..<15 {
            let w = SIMD3(pose[3 * q], pose[3 * q + 1], pose[3 * q + 2])
            let m = mirrored ? AxisAngle.mirrored(w) : w
            out[6 + 3 * q] = Float(m.x); out[6 + 3 * q + 1] = Float(m.y); out[6 + 3 * q + 2] = Float(m.z)
        }
        for i in 0..<10 { out[51 + i] = Float(shape[i]) }
    }

    /// Rotation, pose and shape from the evidence, written into `parameters` (translation is
    /// left alone). Allocates nothing.
    public func predict(_ e: FitEvidence, into parameters: inout HandParameters, workspace ws: inout Workspace) {
        let n = network
        let s = start
        ws.input.withUnsafeMutableBufferPointer { input in
            Self.writeFeatures(e, into: input)
            let est = Self.evidenceFeatures
            for i in 0..<Self.estimateCount { input[est + i] = s[i] }
            ws.output.withUnsafeMutableBufferPointer { output in
                for _ in 0..<Self.passes {
                    n.forward(UnsafeBufferPointer(input), into: output, workspace: &ws.net)
                    for i in 0..<Self.estimateCount { input[est + i] += output[i] }
                }
            }
            let b = Self.evidenceFeatures
            let r = AxisAngle.fromSixD(SIMD3(Double(input[b]), Double(input[b + 1]), Double(input[b + 2])),
                                       SIMD3(Double(input[b + 3]), Double(input[b + 4]), Double(input[b + 5])))
            let w = AxisAngle.vector(r)
            parameters.globalOrient = e.isLeft ? AxisAngle.mirrored(w) : w
            for q in 0..<15 {
                let v = SIMD3(Double(input[b + 6 + 3 * q]), Double(input[b + 7 + 3 * q]), Double(input[b + 8 + 3 * q]))
                let m = e.isLeft ? AxisAngle.mirrored(v) : v
                parameters.pose[3 * q] = m.x; parameters.pose[3 * q + 1] = m.y; parameters.pose[3 * q + 2] = m.z
            }
            for i in 0..<10 { parameters.shape[i] = Double(input[b + 51 + i]) }
        }
    }

    /// The translation that best explains the keypoints given keypoints `local` (camera axes,
    /// without translation): linear least squares on the undistorted normalized coordinates,
    /// x_j (Z_j + tz) = X_j + tx and likewise for y, weighted by confidence. With `depth`, tz is
    /// held there and only tx, ty are solved. Returns nil when the system is degenerate.
    public static func solveTranslation(local: UnsafeBufferPointer<Double>, evidence e: FitEvidence,
                                        camera: PinholeCamera, depth: Double? = nil) -> SIMD3<Double>? {
        // Normal equations of rows [1 0 -x] t = x Z - X and [0 1 -y] t = y Z - Y.
        var a00 = 0.0, a02 = 0.0, a11 = 0.0, a12 = 0.0, a22 = 0.0
        var b0 = 0.0, b1 = 0.0, b2 = 0.0
        for j in 0..<21 {
            let w = e.confidence[j]
            if w <= 0 { continue }
            let n = camera.undistort(e.keypoints[j], iterations: 8)
            let X = local[3 * j], Y = local[3 * j + 1], Z = local[3 * j + 2]
            let rx = n.x * Z - X, ry = n.y * Z - Y
            a00 += w; a02 -= w * n.x; a22 += w * n.x * n.x; b0 += w * rx; b2 -= w * n.x * rx
            a11 += w; a12 -= w * n.y; a22 += w * n.y * n.y; b1 += w * ry; b2 -= w * n.y * ry
        }
        // Solve [[a00 0 a02] [0 a11 a12] [a02 a12 a22]] t = b by elimination of tx, ty.
        guard a00 > 0, a11 > 0 else { return nil }
        if let tz = depth { return SIMD3((b0 - a02 * tz) / a00, (b1 - a12 * tz) / a11, tz) }
        let s22 = a22 - a02 * a02 / a00 - a12 * a12 / a11
        guard s22 > 1e-12 else { return nil }
        let tz = (b2 - a02 * b0 / a00 - a12 * b1 / a11) / s22
        let tx = (b0 - a02 * tz) / a00, ty = (b1 - a12 * tz) / a11
        guard tz.isFinite, tx.isFinite, ty.isFinite else { return nil }
        return SIMD3(tx, ty, tz)
    }
}
