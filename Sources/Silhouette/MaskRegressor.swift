import COpenBLAS
import Fitting
import HandModel
import Render

/// A hand's keypoints from its binary mask alone, the first stage of Mask2Hand (Chang et al.,
/// "Mask2Hand: Learning to Predict the 3D Hand Pose and Shape from Shadow", 2022: a network
/// predicts the hand from the silhouette, trained without labelled images, then the rendered
/// silhouette is matched to the mask). Here the network predicts keypoint evidence, so that the
/// keypoint fitter (`HandFitter`) turns it into a hand like any landmark model's evidence.
///
/// The mask's hand is found (`MaskRegion`), its coverage sampled (`MaskFeatures`), and a
/// multilayer perceptron predicts, for a right hand:
/// - the 21 keypoints in the region, relative to its centre over half its side (about -1...1), 42;
/// - the 21 keypoints in 3D relative to their centroid, decimetres, in the region's axes
///   (`RegionFrame`), 63.
/// Keypoints are the built-in right hand model's own (`HandModel.keypoints`, MediaPipe's order
/// and semantics), so the fit downstream is consistent with the training. A mask carries no
/// handedness: the caller says; a left hand is handled as the mirror image of a right one.
public struct MaskRegressor: Sendable {
    public static let outputCount = 42 + 63
    /// Three hidden layers of 256: 422k weights, 1.7 MB in float32.
    public static let hiddenSizes = [256, 256, 256]

    public var network: MultilayerPerceptron

    public init(network: MultilayerPerceptron) {
        precondition(network.inputCount == MaskFeatures.count && network.outputCount == Self.outputCount,
                     "MaskRegressor: network must map \(MaskFeatures.count) to \(Self.outputCount)")
        self.network = network
    }

    /// An untrained regressor (training starts here). The output layer starts small, so that the
    /// first predictions are near the mean (zero) rather than large noise.
    public init(seed: UInt64) {
        network = MultilayerPerceptron(sizes: [MaskFeatures.count] + Self.hiddenSizes + [Self.outputCount], seed: seed)
    }

    /// Buffers for one prediction; after the first frame of a size, prediction allocates nothing.
    public struct Workspace: Sendable {
        public var components = MaskComponents()
        var input: [Float]
        var output: [Float]
        var net: MultilayerPerceptron.Workspace
        /// The region of the last successful prediction.
        public internal(set) var region: MaskRegion?

        public init(_ r: MaskRegressor) {
            // One OpenBLAS thread, process-wide, as the fitter and the neural engine set it. Set here
            // too, before the first mask is read: a mask-only stream regresses its first masks before
            // the fitting stage's first fitter exists, and a different thread count sums in another
            // order, which made the mask video's fits differ in the last digit from run to run.
            openblas_set_num_threads(1)
            input = [Float](repeating: 0, count: MaskFeatures.count)
            output = [Float](repeating: 0, count: MaskRegressor.outputCount)
            net = MultilayerPerceptron.Workspace(for: r.network)
        }
    }

    /// Finds the hand in `mask` (`width * height` bytes, ≥ 128 is hand) and writes its keypoint
    /// evidence into `evidence`: pixels in the frame, confidence 1, world landmarks (metres,
    /// camera axes, centred), `isLeft`. Returns the hand's region, or nil (evidence untouched)
    /// when the mask holds no hand of at least `minimumPixels` pixels.
    ///
    /// The evidence's ROI is the keypoint regressor's convention (the keypoints' bounding box,
    /// doubled, as MediaPipe's landmark ROI), not the mask region: `HandRegressor` normalizes by it.
    @discardableResult
    public func predict(mask: UnsafeBufferPointer<UInt8>, width: Int, height: Int, camera: PinholeCamera, isLeft: Bool,
                        into evidence: inout FitEvidence, workspace ws: inout Workspace,
                        minimumPixels: Int = MaskRegion.defaultMinimumPixels) -> MaskRegion? {
        precondition(width > 0 && height > 0 && mask.count >= width * height,
                     "MaskRegressor.predict: mask has \(mask.count) bytes for \(width)x\(height)")
        return predict(mask: MaskView(mask.baseAddress!, width: width, height: height), camera: camera, isLeft: isLeft,
                       into: &evidence, workspace: &ws, minimumPixels: minimumPixels)
    }

    /// The same on a mask seen through `MaskView` (a decoded mask video frame, read in place).
    @discardableResult
    public func predict(mask: MaskView, camera: PinholeCamera, isLeft: Bool,
                        into evidence: inout FitEvidence, workspace ws: inout Workspace,
                        minimumPixels: Int = MaskRegion.defaultMinimumPixels) -> MaskRegion? {
        guard let region = MaskRegion.find(mask: mask, components: &ws.components,
                                           minimumPixels: minimumPixels) else { return nil }
        predict(region: region, camera: camera, isLeft: isLeft, into: &evidence, workspace: &ws)
        return region
    }

    /// The same for a hand already found: `region`, whose blob `ws.components` holds (as
    /// `MaskRegion.find` into `ws.components` leaves them).
    public func predict(region: MaskRegion, camera: PinholeCamera, isLeft: Bool,
                        into evidence: inout FitEvidence, workspace ws: inout Workspace) {
        let components = ws.components
        ws.input.withUnsafeMutableBufferPointer { input in
            MaskFeatures.writeCoverage(components: components, region: region, mirrored: isLeft, into: input)
            MaskFeatures.writeExtras(region: region, camera: camera, mirrored: isLeft, into: input)
            ws.output.withUnsafeMutableBufferPointer { output in
                network.forward(UnsafeBufferPointer(input), into: output, workspace: &ws.net)
            }
        }
        Self.writeEvidence(ws.output, region: region, camera: camera, isLeft: isLeft, into: &evidence)
        ws.region = region
    }

    /// The same on an array.
    @discardableResult
    public func predict(mask: [UInt8], width: Int, height: Int, camera: PinholeCamera, isLeft: Bool,
                        into evidence: inout FitEvidence, workspace ws: inout Workspace,
                        minimumPixels: Int = MaskRegion.defaultMinimumPixels) -> MaskRegion? {
        mask.withUnsafeBufferPointer {
            predict(mask: $0, width: width, height: height, camera: camera, isLeft: isLeft, into: &evidence,
                    workspace: &ws, minimumPixels: minimumPixels)
        }
    }

    /// The network's outputs (right-hand frame) as evidence in the frame.
    static func writeEvidence(_ out: [Float], region: MaskRegion, camera: PinholeCamera, isLeft: Bool,
                              into e: inout FitEvidence) {
        let mirror: Double = isLeft ? -1 : 1
        let half = 0.5 * region.side
        let rotation = RegionFrame.rotation(center: region.center, camera: camera)
        var lo = SIMD2<Double>(repeating: .infinity), hi = SIMD2<Double>(repeating: -.infinity)
        var centroid = SIMD3<Double>.zero
        for j in 0..<21 {
            let p = region.center + half * SIMD2(mirror * Double(out[2 * j]), Double(out[2 * j + 1]))
            e.keypoints[j] = p
            e.confidence[j] = 1
            lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p)
            let local = SIMD3(mirror * Double(out[42 + 3 * j]), Double(out[43 + 3 * j]), Double(out[44 + 3 * j])) / 10
            e.world[j] = rotation * local
            centroid += e.world[j]
        }
        centroid /= 21
        for j in 0..<21 { e.world[j] -= centroid }
        e.hasWorld = true
        e.isLeft = isLeft
        e.roiCenter = 0.5 * (lo + hi)
        e.roiSize = max(2 * max(hi.x - lo.x, hi.y - lo.y), 1)
    }

    /// The training target of a right hand: keypoints `joints` (camera frame, metres) against
    /// `region`, written as the network's outputs.
    public static func writeTarget(joints: UnsafeBufferPointer<SIMD3<Double>>, region: MaskRegion, camera: PinholeCamera,
                                   into out: UnsafeMutableBufferPointer<Float>) {
        let half = 0.5 * region.side
        let inverse = RegionFrame.rotation(center: region.center, camera: camera).transposed
        var centroid = SIMD3<Double>.zero
        for j in 0..<21 { centroid += joints[j] }
        centroid /= 21
        for j in 0..<21 {
            let d = (camera.project(joints[j]) - region.center) / half
            out[2 * j] = Float(d.x); out[2 * j + 1] = Float(d.y)
            let w = inverse * (joints[j] - centroid) * 10
            out[42 + 3 * j] = Float(w.x); out[43 + 3 * j] = Float(w.y); out[44 + 3 * j] = Float(w.z)
        }
    }
}
