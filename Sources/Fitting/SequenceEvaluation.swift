import Foundation
import HandModel

/// Fits recorded evidence frame by frame as the live stage would (warm starts, track shape,
/// filter) and measures the fit against the evidence, over time, and across two views
/// (`handmesh eval fit`).
public enum SequenceEvaluation {
    /// A fitted sequence: per frame, the fit (nil where the frame had no hand).
    public struct Fitted: Sendable {
        public var results: [HandFitResult?]
        public var evidence: [FitEvidence?]
    }

    /// Fits every frame of `records` in order; a new fitter state per track (a gap or a new
    /// track number restarts it).
    public static func fit(_ records: EvidenceRecords, regressor: HandRegressor?, settings: FitSettings) -> Fitted {
        var fitters: [HandSide: HandFitter] = [:]
        var results: [HandFitResult?] = []
        var evidence: [FitEvidence?] = []
        var lastTrack: Int? = nil
        var lastSide: HandSide? = nil
        var result = HandFitResult()
        for frame in records.frames {
            guard let frame else {
                results.append(nil); evidence.append(nil); lastTrack = nil
                continue
            }
            let side: HandSide = frame.evidence.isLeft ? .left : .right
            if fitters[side] == nil {
                fitters[side] = HandFitter(model: HandModel.builtIn(side: side), regressor: regressor, settings: settings)
            }
            let continues = lastTrack == frame.track && lastSide == side
            fitters[side]!.fit(frame.evidence, time: frame.time, continuesTrack: continues, into: &result)
            results.append(result)
            evidence.append(frame.evidence)
            lastTrack = frame.track
            lastSide = side
        }
        return Fitted(results: results, evidence: evidence)
    }

    public struct Report: Sendable {
        public var frames: Int
        public var fittedFrames: Int
        /// Mean distance of the fitted joints' projections to the 2D evidence, px.
        public var meanReprojection: Double
        /// Mean distance of the fitted joints to the world landmarks after a similarity, mm.
        public var paToWorld: Double
        public var warmShare: Double
        public var warmMilliseconds: Double
        public var coldMilliseconds: Double
        public var warmIterations: Double
        public var coldIterations: Double
        /// Mean norm of the second difference per joint, mm: fitted joints relative to their
        /// centroid, the world landmarks likewise (like for like), and the absolute fitted joints.
        public var jitterFitted: Double
        public var jitterWorld: Double
        public var jitterFittedAbsolute: Double
        /// Lag of the fit behind the evidence, frames (cross-correlation of motion): centred 3D
        /// against the world landmarks, and 2D against the keypoints.
        public var lag3D: Double
        public var lag2D: Double
    }

    public static func report(_ f: Fitted) -> Report {
        var rep: [Double] = [], pa: [Double] = [], warmMs: [Double] = [], coldMs: [Double] = [], warmIts: [Double] = [], coldIts: [Double] = []
        var fittedCentred: [[SIMD3<Double>]?] = [], worldCentred: [[SIMD3<Double>]?] = [], fittedAbsolute: [[SIMD3<Double>]?] = []
        var fit3: [[Double]?] = [], world3: [[Double]?] = [], fit2: [[Double]?] = [], ev2: [[Double]?] = []
        for (r, e) in zip(f.results, f.evidence) {
            guard let r, let e else {
                fittedCentred.append(nil); worldCentred.append(nil); fittedAbsolute.append(nil)
                fit3.append(nil); world3.append(nil); fit2.append(nil); ev2.append(nil)
                continue
            }
            var sum = 0.0
            for j in 0..<21 {
                let d = r.joints2d[j] - e.keypoints[j]
                sum += (d * d).sum().squareRoot()
            }
            rep.append(sum / 21)
            if e.hasWorld { pa.append(Procrustes.alignedMeanDistance(r.joints3d, e.world) * 1000) }
            if r.warm { warmMs.append(r.milliseconds); warmIts.append(Double(r.iterations)) } else {
                coldMs.append(r.milliseconds); coldIts.append(Double(r.iterations))
            }
            let fc = SequenceMetrics.centred(r.joints3d).map { $0 * 1000 }
            let wc = SequenceMetrics.centred(e.world).map { $0 * 1000 }
            fittedCentred.append(fc); worldCentred.append(e.hasWorld ? wc : nil)
            fittedAbsolute.append(r.joints3d.map { $0 * 1000 })
            fit3.append(fc.flatMap { [$0.x, $0.y, $0.z] }); world3.append(wc.flatMap { [$0.x, $0.y, $0.z] })
            fit2.append(r.joints2d.flatMap { [$0.x, $0.y] }); ev2.append(e.keypoints.flatMap { [$0.x, $0.y] })
        }
        let fitted = rep.count
        return Report(frames: f.results.count, fittedFrames: fitted, meanReprojection: FitBenchmark.mean(rep),
                      paToWorld: FitBenchmark.mean(pa), warmShare: Double(warmMs.count) / Double(max(fitted, 1)),
                      warmMilliseconds: FitBenchmark.median(warmMs), coldMilliseconds: FitBenchmark.median(coldMs),
                      warmIterations: FitBenchmark.median(warmIts), coldIterations: FitBenchmark.median(coldIts),
                      jitterFitted: SequenceMetrics.meanSecondDifference(fittedCentred),
                      jitterWorld: SequenceMetrics.meanSecondDifference(worldCentred),
                      jitterFittedAbsolute: SequenceMetrics.meanSecondDifference(fittedAbsolute),
                      lag3D: SequenceMetrics.lag(of: fit3, behind: world3), lag2D: SequenceMetrics.lag(of: fit2, behind: ev2))
    }

    public struct CrossView: Sendable {
        public var frames: Int
        /// Wrist-relative fitted joints of view 0 rotated into view 1 against view 1's, mean mm.
        public var rotatedFitted: Double
        /// The same for MediaPipe's world landmarks (the evidence's own consistency).
        public var rotatedWorld: Double
        /// Fitted view-0 joints against points triangulated from both views' 2D evidence: after a
        /// similarity per frame, and after one similarity for the whole sequence, mean mm.
        public var triangulatedPerFrame: Double
        public var triangulatedGlobal: Double
        /// The world landmarks of view 0 against the triangulated points, similarity per frame.
        public var triangulatedWorldPerFrame: Double
    }

    public static func crossView(_ a: Fitted, _ b: Fitted, calibration c: StereoCalibration) -> CrossView {
        var rotated: [Double] = [], rotatedWorld: [Double] = [], perFrame: [Double] = [], worldPerFrame: [Double] = []
        var allFitted: [SIMD3<Double>] = [], allTriangulated: [SIMD3<Double>] = []
        for t in 0..<min(a.results.count, b.results.count) {
            guard let ra = a.results[t], let rb = b.results[t], let ea = a.evidence[t], let eb = b.evidence[t] else { continue }
            func meanDistance(_ p: [SIMD3<Double>], _ q: [SIMD3<Double>]) -> Double {
                zip(p, q).map { (($0 - $1) * ($0 - $1)).sum().squareRoot() }.reduce(0, +) / Double(p.count)
            }
            let ja = ra.joints3d.map { c.rotation * ($0 - ra.joints3d[0]) }
            let jb = rb.joints3d.map { $0 - rb.joints3d[0] }
            rotated.append(meanDistance(ja, jb) * 1000)
            if ea.hasWorld && eb.hasWorld {
                let wa = ea.world.map { c.rotation * ($0 - ea.world[0]) }
                let wb = eb.world.map { $0 - eb.world[0] }
                rotatedWorld.append(meanDistance(wa, wb) * 1000)
            }
            let tri = StereoScore.triangulate(ea.keypoints, eb.keypoints, calibration: c)
            perFrame.append(Procrustes.alignedMeanDistance(tri, ra.joints3d) * 1000)
            if ea.hasWorld { worldPerFrame.append(Procrustes.alignedMeanDistance(tri, ea.world) * 1000) }
            allFitted += ra.joints3d
            allTriangulated += tri
        }
        let global = allFitted.isEmpty ? .nan : Procrustes.alignedMeanDistance(allTriangulated, allFitted) * 1000
        return CrossView(frames: rotated.count, rotatedFitted: FitBenchmark.mean(rotated), rotatedWorld: FitBenchmark.mean(rotatedWorld),
                         triangulatedPerFrame: FitBenchmark.mean(perFrame), triangulatedGlobal: global,
                         triangulatedWorldPerFrame: FitBenchmark.mean(worldPerFrame))
    }
}
