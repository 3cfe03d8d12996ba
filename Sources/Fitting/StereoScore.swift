import Foundation
import HandModel

/// The stereo clip's measures of a run (`handmesh eval stereo`): 3D error against points
/// triangulated from both calibrated views, how steady the hand is over the track, and, for a
/// pair of runs on the two views, how well they agree.
///
/// Every sequence is keyed by frame number; a missing key is a frame without a hand. Points are in
/// metres: the run's, and the triangulated truth's once `metricScale` has set its size. The run is
/// always aligned onto the truth and its error read in the truth's units, so that a run cannot
/// lower its figures by fitting a smaller hand (aligning the truth onto the run, as this did before
/// 2026-12-06, measured in the run's own size: a run whose bones all shrank to half scored half).
public enum StereoScore {
    public struct Run: Sendable {
        /// Frames with a hand in the run and in the truth.
        public var frames = 0
        /// PA-MPJPE against the triangulated points: mean and median, mm.
        public var triangulated = Double.nan
        public var triangulatedMedian = Double.nan
        /// Wrist-relative joints against the triangulated points rotated per frame but scaled once
        /// for the whole run (one scale, fitted over the clip): what a per-frame scale would hide,
        /// the hand's size changing from frame to frame, counts here. Mean, mm.
        public var wristRelative = Double.nan
        /// Bone-length coefficient of variation over the second half of the run's frames, mean over
        /// the 20 bones, percent.
        public var boneVariation = Double.nan
        /// Seconds from the first frame until the bone lengths stay within 1% of their final values
        /// (mean over the bones: a fingertip's bone, which ends at a skinned vertex, changes a little
        /// with the pose).
        public var settleSeconds = Double.nan
        /// Mean second difference of centroid-relative joints, mm (NaN without consecutive frames).
        public var jitter = Double.nan
        /// Lag of the centroid-relative joints behind the evidence's world landmarks, frames.
        public var lag = Double.nan
    }

    /// Scores one run against `truth`; `world` (the run's world landmarks) times its lag; `seconds`
    /// is each frame's time.
    public static func score(joints: [Int: [SIMD3<Double>]], world: [Int: [SIMD3<Double>]], truth: [Int: [SIMD3<Double>]],
                             seconds: [Int: Double]) -> Run {
        var run = Run()
        let shared = joints.keys.filter { truth[$0] != nil }.sorted()
        run.frames = shared.count
        guard !shared.isEmpty else { return run }

        // 1. PA-MPJPE, a similarity per frame.
        let pa = shared.map { Procrustes.alignedMeanDistance(joints[$0]!, truth[$0]!) * 1000 }
        run.triangulated = FitBenchmark.mean(pa)
        run.triangulatedMedian = FitBenchmark.median(pa)

        // 2. Wrist-relative: a rotation per frame (scale-free), then one scale for the truth.
        var rotatedFit: [[SIMD3<Double>]] = [], relativeTruth: [[SIMD3<Double>]] = []
        var dot = 0.0, norm = 0.0
        for f in shared {
            let p = wristRelative(joints[f]!), q = wristRelative(truth[f]!)
            let r = Procrustes.align(p, to: q, withScale: false).rotation
            let rp = p.map { r * $0 }
            for (a, b) in zip(rp, q) { dot += (a * b).sum(); norm += (a * a).sum() }
            rotatedFit.append(rp)
            relativeTruth.append(q)
        }
        let scale = norm > 0 ? dot / norm : 0
        var total = 0.0
        for (rp, q) in zip(rotatedFit, relativeTruth) {
            for (a, b) in zip(rp, q) { total += ((scale * a - b) * (scale * a - b)).sum().squareRoot() }
        }
        run.wristRelative = total / Double(21 * shared.count) * 1000

        // 3. Over the track: bone lengths, jitter, lag.
        let ordered = joints.keys.sorted()
        let lengths = ordered.map { BoneLengths.lengths(joints[$0]!) }
        let secondHalf = Array(lengths[(lengths.count / 2)...])
        run.boneVariation = FitBenchmark.mean((0..<BoneScaling.boneCount).map { b in
            let v = secondHalf.map { $0[b] }
            let m = FitBenchmark.mean(v)
            let variance = v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count)
            return variance.squareRoot() / m * 100
        })
        if let last = lengths.last {
            var settled = ordered.count - 1
            while settled > 0 {
                let l = lengths[settled - 1]
                let off = FitBenchmark.mean((0..<BoneScaling.boneCount).map { abs(l[$0] / last[$0] - 1) })
                if off > 0.01 { break }
                settled -= 1
            }
            run.settleSeconds = (seconds[ordered[settled]] ?? 0) - (seconds[ordered[0]] ?? 0)
        }
        // Jitter and lag need consecutive frames (photos of every third frame have none).
        guard ordered.indices.dropFirst(2).contains(where: { ordered[$0] == ordered[$0 - 2] + 2 }) else { return run }
        let span = ordered.first!...ordered.last!
        let centred = span.map { joints[$0].map { SequenceMetrics.centred($0).map { $0 * 1000 } } }
        run.jitter = SequenceMetrics.meanSecondDifference(centred)
        let worldCentred = span.map { world[$0].map { SequenceMetrics.centred($0).map { $0 * 1000 } } }
        run.lag = SequenceMetrics.lag(of: centred.map { $0?.flatMap { [$0.x, $0.y, $0.z] } },
                                      behind: worldCentred.map { $0?.flatMap { [$0.x, $0.y, $0.z] } })
        return run
    }

    /// Cross-view: view 0's wrist-relative joints rotated into view 1 (`rotation`, camera 0 to
    /// camera 1) against view 1's, mean mm over the frames both have; nil without such frames.
    public static func crossView(_ view0: [Int: [SIMD3<Double>]], _ view1: [Int: [SIMD3<Double>]],
                                 rotation: Mat3) -> (frames: Int, mean: Double)? {
        let shared = view0.keys.filter { view1[$0] != nil }
        guard !shared.isEmpty else { return nil }
        var total = 0.0
        for f in shared {
            let a = wristRelative(view0[f]!).map { rotation * $0 }, b = wristRelative(view1[f]!)
            for (p, q) in zip(a, b) { total += ((p - q) * (p - q)).sum().squareRoot() }
        }
        return (shared.count, total / Double(21 * shared.count) * 1000)
    }

    /// Points triangulated from both views' 2D landmarks (pixels), undistorted with the calibration.
    public static func triangulate(_ landmarks0: [SIMD2<Double>], _ landmarks1: [SIMD2<Double>],
                                   calibration c: StereoCalibration) -> [SIMD3<Double>] {
        zip(landmarks0, landmarks1).map {
            SequenceMetrics.triangulate(c.camera0.undistort($0), c.camera1.undistort($1), rotation: c.rotation, translation: c.translation)
        }
    }

    /// The factor that gives the triangulated points (in the calibration's units) a metric size: the
    /// median hand size (sum of the 20 bones) of MediaPipe's world landmarks, which are metric for
    /// an average hand, over the truth's. One number for the clip, whatever run is scored.
    public static func metricScale(truth: [[SIMD3<Double>]], world: [[SIMD3<Double>]]) -> Double {
        func medianSize(_ hands: [[SIMD3<Double>]]) -> Double { FitBenchmark.median(hands.map { BoneLengths.lengths($0).reduce(0, +) }) }
        guard !truth.isEmpty, !world.isEmpty else { return 1 }
        let t = medianSize(truth)
        return t > 0 ? medianSize(world) / t : 1
    }

    static func wristRelative(_ p: [SIMD3<Double>]) -> [SIMD3<Double>] { p.map { $0 - p[0] } }
}
