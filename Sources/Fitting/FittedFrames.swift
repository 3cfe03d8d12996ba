import Foundation
import HandModel

/// One confident fit of a real frame, as a right hand: the fitted root rotation and pose (a left
/// hand's mirrored into the right-hand frame, the regressor's convention) and its track's shape.
public struct FittedFrame: Sendable, Equatable {
    public var source: String
    public var index: Int
    public var globalOrient: SIMD3<Double>
    public var pose: [Double]
    public var shape: [Double]
    /// The landmark network's world landmarks for this frame, centroid-relative, camera axes (a
    /// left hand's mirrored like its fit); empty when unknown.
    public var world: [SIMD3<Double>]
    /// The fit's joints (`joints3d`, camera frame, metres; mirrored like the rest); empty when unknown.
    public var joints: [SIMD3<Double>]

    public init(source: String, index: Int, globalOrient: SIMD3<Double>, pose: [Double], shape: [Double],
                world: [SIMD3<Double>] = [], joints: [SIMD3<Double>] = []) {
        self.source = source
        self.index = index
        self.globalOrient = globalOrient
        self.pose = pose
        self.shape = shape
        self.world = world
        self.joints = joints
    }
}

/// Which fitted frames are trusted as training poses: evidence and fit must agree, and the track
/// must have settled (its shape and bone factors move for its first seconds).
public struct FitSelection: Sendable, Equatable {
    /// Largest reprojection error of the fitted joints (the records' filtered figure), as a
    /// fraction of the ROI side. On the stereo clip's four runs (both views, both mirror images) the
    /// median is 1.6–2.0% and the 90th percentile 2.9–3.6%: 3% drops the frames whose fit has
    /// left its keypoints most.
    public var maxReprojection = 0.03
    /// Largest mean distance (metres) between `joints3d` and the world landmarks after a
    /// similarity: the clip's fits sit 8.5–10.6 mm from them on average (README "Fitting").
    public var maxWorldResidual = 0.015
    /// Frames dropped on either side of a cold start after the track's first frame: a re-initialised
    /// fit means the warm fits before it had failed and the ones after have not settled.
    public var coldMargin = 15
    /// Frames after a track's first before its fits count as settled (one second at 30 fps).
    public var settleFrames = 30
    /// Frames at or after this index are never read (the held-out part of a clip).
    public var beforeFrame = Int.max

    public init() {}
}

/// Confident fits read from `handmesh run`'s NDJSON records, with why the rest were dropped.
public struct FittedFrames: Sendable {
    public var frames: [FittedFrame] = []
    /// Frames with a hand considered (inside the frame range), and drops by reason.
    public var considered = 0
    public var dropped: [String: Int] = [:]

    public init() {}

    /// Reads each file in turn; a malformed record is an error naming the file and line.
    public init(paths: [String], selection: FitSelection) throws {
        for path in paths { try append(path: path, selection: selection) }
    }

    public mutating func append(path: String, selection s: FitSelection) throws {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw FittingError(path, "cannot read the fits (\(error.localizedDescription))")
        }
        struct Candidate {
            var index: Int, track: Int, warm: Bool
            var orient: SIMD3<Double>, pose: [Double], shape: [Double], world: [SIMD3<Double>]
            var joints: [SIMD3<Double>] = []
            var reason: String?
        }
        var candidates: [Candidate] = []
        var sawFrame = false
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.allSatisfy(\.isWhitespace) { continue }
            func fail(_ what: String) -> FittingError { FittingError(path, "line \(n + 1): \(what)") }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw fail("not a JSON object")
            }
            guard object["type"] as? String == "frame" else { continue }
            sawFrame = true
            guard let index = object["index"] as? Int, let hands = object["hands"] as? [[String: Any]] else {
                throw fail("a frame record needs index and hands")
            }
            guard index < s.beforeFrame, let hand = hands.first else { continue }
            func numbers(_ key: String, _ count: Int) throws -> [Double] {
                guard let v = hand[key] as? [Double], v.count == count, v.allSatisfy(\.isFinite) else {
                    throw fail("\(key) must be \(count) finite numbers")
                }
                return v
            }
            func points(_ key: String) throws -> [SIMD3<Double>] {
                guard let p = hand[key] as? [[Double]], p.count == 21, p.allSatisfy({ $0.count == 3 }) else {
                    throw fail("\(key) must be 21 [x, y, z] triples")
                }
                return p.map { SIMD3($0[0], $0[1], $0[2]) }
            }
            guard let track = hand["track"] as? Int else { throw fail("a hand needs a track") }
            guard let fit = hand["fit"] as? [String: Any] else {
                // Evidence without a fit (a run with fitting off): nothing to learn from.
                candidates.append(Candidate(index: index, track: track, warm: true, orient: .zero, pose: [], shape: [],
                                            world: [], reason: "no fit"))
                continue
            }
            guard let reprojection = fit["reprojection_px"] as? Double, let warm = fit["warm"] as? Bool else {
                throw fail("fit needs reprojection_px and warm")
            }
            let o = try numbers("global_orient", 3)
            var orient = SIMD3(o[0], o[1], o[2])
            var pose = try numbers("pose", 45)
            let shape = try numbers("shape", 10)
            var joints = try points("joints3d")
            var world = hand["world_landmarks"] == nil ? [] : try points("world_landmarks")
            var reason: String?
            if let roi = hand["roi"] as? [String: Any], let size = roi["size"] as? Double, size > 0,
               reprojection > s.maxReprojection * size {
                reason = "reprojection"
            } else if hand["roi"] == nil {
                reason = "no roi"
            } else if world.isEmpty {
                reason = "no world landmarks"
            } else if Procrustes.alignedMeanDistance(world, joints) > s.maxWorldResidual {
                reason = "world-landmark residual"
            }
            if !world.isEmpty {
                let centroid = world.reduce(.zero, +) / Double(world.count)
                world = world.map { $0 - centroid }
            }
            if (hand["handedness"] as? String) == "left" {
                orient = AxisAngle.mirrored(orient)
                world = world.map { SIMD3(-$0.x, $0.y, $0.z) }
                joints = joints.map { SIMD3(-$0.x, $0.y, $0.z) }
                for q in 0..<15 {
                    let m = AxisAngle.mirrored(SIMD3(pose[3 * q], pose[3 * q + 1], pose[3 * q + 2]))
                    pose[3 * q] = m.x; pose[3 * q + 1] = m.y; pose[3 * q + 2] = m.z
                }
            }
            candidates.append(Candidate(index: index, track: track, warm: warm, orient: orient, pose: pose, shape: shape,
                                        world: world, joints: joints, reason: reason))
        }
        guard sawFrame else { throw FittingError(path, "no frame records") }

        // Per track: its first frame, its cold restarts after that, and its settled shape (the
        // last fitted frame's: the track shape is held once settled).
        var first: [Int: Int] = [:], colds: [Int: [Int]] = [:], shapes: [Int: [Double]] = [:]
        for c in candidates {
            if first[c.track] == nil { first[c.track] = c.index } else if !c.warm { colds[c.track, default: []].append(c.index) }
            if !c.shape.isEmpty { shapes[c.track] = c.shape }
        }
        for c in candidates {
            considered += 1
            var reason = c.reason
            if reason == nil, c.index - first[c.track]! < s.settleFrames { reason = "track not settled" }
            if reason == nil, colds[c.track, default: []].contains(where: { abs($0 - c.index) <= s.coldMargin }) {
                reason = "cold start nearby"
            }
            if let reason { dropped[reason, default: 0] += 1; continue }
            frames.append(FittedFrame(source: path, index: c.index, globalOrient: c.orient, pose: c.pose,
                                      shape: shapes[c.track]!, world: c.world, joints: c.joints))
        }
    }

    /// Replaces each frame's parameters by the right-hand `model`'s cold fit to its fitted joints.
    /// The records' pose and shape go with per-track bone-length factors that they do not carry:
    /// on the stereo clip the parameters' own joints lie 9–13 mm from `joints3d`, further from the
    /// triangulated points than the regressor alone. Refitted as a cold start is, at the landmark
    /// network's proportions (`FitSettings.landmarkProportions`), the pose is the one a fit would
    /// give these joints, which is what the regressor is to predict.
    public mutating func refit(model: HandModel, regressor: HandRegressor?) {
        // Any camera views the same points: one that sees them whole.
        let camera = PinholeCamera.defaultCamera(width: 720, height: 720, fieldOfViewDegrees: 60)
        var settings = FitSettings(camera: camera)
        settings.filter = nil
        let fitter = HandFitter(model: model, regressor: regressor, settings: settings)
        var result = HandFitResult()
        for i in frames.indices where frames[i].joints.count == 21 {
            let joints = frames[i].joints
            let evidence = FitEvidence(keypoints: joints.map { camera.project($0) }, world: joints)
            fitter.fit(evidence, time: 0, continuesTrack: false, into: &result)
            frames[i].globalOrient = result.parameters.globalOrient
            frames[i].pose = result.parameters.pose
            frames[i].shape = result.parameters.shape
        }
    }

    /// One line: kept of considered, and the drops by reason, most first.
    public var summary: String {
        let reasons = dropped.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        return "kept \(frames.count) of \(considered) fitted frames" + (reasons.isEmpty ? "" : "; dropped \(reasons)")
    }
}
