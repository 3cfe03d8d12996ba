import ArgumentParser
import Fitting
import Foundation
import HandModel

/// `handmesh eval stereo`: 3D accuracy of any run's records against points triangulated from both
/// calibrated views of the stereo clip: real geometry, not a model's or a network's.
struct EvalStereo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stereo",
        abstract: "3D error, steadiness and cross-view agreement of runs on the two calibrated views.",
        discussion: """
        The truth: for each frame with a hand in both views' records (--truth0 and --truth1, by \
        default the first two RUNs, e.g. `handmesh run` on cam0_test.mp4 and cam1_test.mp4), the 2D \
        landmarks are undistorted and triangulated. Each RUN is scored frame by frame on its first \
        hand: PA-MPJPE of joints3d (a similarity per frame; world_landmarks beside it), wrist-relative \
        error with a rotation per frame and one scale for the whole run, the bone lengths' variation \
        over the second half and how long they take to settle within 1%, jitter (second difference \
        of centroid-relative joints) and lag behind the world landmarks. With two or more RUNs, the \
        first two are taken as views 0 and 1 for the cross-view figure: view 0's wrist-relative \
        joints rotated into view 1 against view 1's. Frames match by index, or by the image id \
        where a frame names one (photos from a manifest whose ids are the clip's frame numbers).
        """)

    @OptionGroup var stereo: StereoTruthOptions
    @Flag(help: "Also print the truth's skeleton proportions (each bone over the four finger palm rays, median over frames): the numbers in HandModel's LandmarkProportions.")
    var proportions = false
    @Option(help: "With --proportions: only frames before this one (a held-out tail stays out).")
    var beforeFrame: Int?
    @Argument(help: "Records to score.") var records: [String]

    func validate() throws {
        if beforeFrame != nil && !proportions { throw ValidationError("eval stereo: --before-frame applies to --proportions only") }
    }

    func run() throws {
        let cal = try StereoCalibration(directory: URL(fileURLWithPath: stereo.calibration))
        guard let truth = try stereo.triangulated(calibration: cal, defaults: records) else {
            throw ValidationError("eval stereo: give --truth0 and --truth1, or two RUNs (views 0 and 1)")
        }
        print("truth: \(truth.count) frames with a hand in both views")
        if proportions {
            let frames = truth.keys.filter { $0 < (beforeFrame ?? .max) }.sorted()
            let ratios = frames.map { LandmarkProportions.ratios(truth[$0]!) }
            let medians = (0..<BoneLengths.count).map { b in FitBenchmark.median(ratios.map { $0[b] }) }
            print("proportions over \(frames.count) frames\(beforeFrame.map { " before \($0)" } ?? ""), bones over the finger palm rays: "
                  + medians.map { String(format: "%.4f", $0) }.joined(separator: ", "))
        }
        var runs: [ScoredHands] = []
        for path in records {
            let run = try ScoredHands(path: path)
            runs.append(run)
            let s = StereoScore.score(joints: run.hands.compactMapValues(\.joints3d), world: run.hands.compactMapValues(\.world),
                                      truth: truth, seconds: run.seconds)
            let missed = truth.keys.filter { run.frames.contains($0) && run.hands[$0] == nil }.count
            let world = truth.keys.compactMap { f in run.hands[f]?.world.map { Procrustes.alignedMeanDistance($0, truth[f]!) * 1000 } }
            print("\(path): \(s.frames) frames scored (\(missed) of the truth's frames without a hand here)")
            print(String(format: "  against triangulated points   %6.2f mm PA-MPJPE (median %.2f; world_landmarks %.2f)",
                         s.triangulated, s.triangulatedMedian, FitBenchmark.mean(world)))
            print(String(format: "  wrist-relative, one scale     %6.2f mm", s.wristRelative))
            print(String(format: "  bone-length variation         %6.2f %% (second half), settled within 1%% after %.1f s",
                         s.boneVariation, s.settleSeconds))
            if s.jitter.isNaN {
                print("  jitter                          n/a: no consecutive frames")
            } else {
                print(String(format: "  jitter                        %6.2f mm, lag %.2f frames behind the world landmarks", s.jitter, s.lag))
            }
        }
        if runs.count >= 2, let c = StereoScore.crossView(runs[0].hands.compactMapValues(\.joints3d),
                                                          runs[1].hands.compactMapValues(\.joints3d), rotation: cal.rotation) {
            print(String(format: "cross-view (%@ as view 0, %@ as view 1): %.2f mm over %d frames", records[0], records[1], c.mean, c.frames))
        }
    }
}

/// The stereo clip's truth: points triangulated from two calibrated views' 2D landmarks.
struct StereoTruthOptions: ParsableArguments {
    @Option(help: "Records of view 0 whose 2D landmarks make the truth (eval stereo: default the first RUN).") var truth0: String?
    @Option(help: "Records of view 1, same instants (eval stereo: default the second RUN).") var truth1: String?
    @Option(help: "The stereo-hand camera_parameters folder.")
    var calibration = "../shared/data/stereo-hand/camera_parameters"

    /// Triangulated points by frame, from --truth0 and --truth1 or else the first two of
    /// `defaults`; nil when there are not two views.
    func triangulated(calibration cal: StereoCalibration, defaults: [String] = []) throws -> [Int: [SIMD3<Double>]]? {
        guard let path0 = truth0 ?? defaults.first, let path1 = truth1 ?? (defaults.count > 1 ? defaults[1] : nil) else {
            return nil
        }
        let a = try ScoredHands(path: path0), b = try ScoredHands(path: path1)
        var truth: [Int: [SIMD3<Double>]] = [:]
        var world: [[SIMD3<Double>]] = []
        for (frame, ha) in a.hands {
            guard let hb = b.hands[frame] else { continue }
            truth[frame] = StereoScore.triangulate(ha.landmarks, hb.landmarks, calibration: cal)
            world += [ha.world, hb.world].compactMap { $0 }
        }
        let metres = StereoScore.metricScale(truth: Array(truth.values), world: world)
        return truth.mapValues { $0.map { $0 * metres } }
    }
}

/// The first hand of each frame record: landmarks, world landmarks and fitted joints, by frame.
struct ScoredHands {
    struct Hand {
        var landmarks: [SIMD2<Double>]
        var world: [SIMD3<Double>]?
        var joints3d: [SIMD3<Double>]?
        /// The track's shape and bone-length factors the fit carried (`shape`, `bone_factors`), when
        /// the record has them.
        var shape: [Double]?
        var boneFactors: [Double]?
    }
    var hands: [Int: Hand] = [:]
    /// Every frame the records hold, with a hand or not.
    var frames: Set<Int> = []
    /// Each frame's time (pts), seconds.
    var seconds: [Int: Double] = [:]

    init(path: String) throws {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ValidationError("\(path): cannot read (\(error.localizedDescription))")
        }
        for (n, line) in text.split(separator: "\n").enumerated() {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw ValidationError("\(path): line \(n + 1): not a JSON object")
            }
            guard object["type"] as? String == "frame", let index = object["index"] as? Int else { continue }
            let frame = ((object["image"] as? [String: Any])?["id"] as? String).flatMap { Int($0) } ?? index
            frames.insert(frame)
            seconds[frame] = object["pts"] as? Double ?? Double(index) / 30
            guard let hand = (object["hands"] as? [[String: Any]])?.first else { continue }
            func points3(_ key: String) -> [SIMD3<Double>]? {
                guard let p = hand[key] as? [[Double]], p.count == 21, p.allSatisfy({ $0.count == 3 }) else { return nil }
                return p.map { SIMD3($0[0], $0[1], $0[2]) }
            }
            guard let l = hand["landmarks"] as? [[Double]], l.count == 21, l.allSatisfy({ $0.count == 2 }) else {
                throw ValidationError("\(path): line \(n + 1): landmarks must be 21 [x, y] pairs")
            }
            func values(_ key: String, count: Int) -> [Double]? {
                (hand[key] as? [Double]).flatMap { $0.count == count ? $0 : nil }
            }
            hands[frame] = Hand(landmarks: l.map { SIMD2($0[0], $0[1]) }, world: points3("world_landmarks"),
                                joints3d: points3("joints3d"), shape: values("shape", count: HandParameters.shapeCount),
                                boneFactors: values("bone_factors", count: BoneLengths.count))
        }
    }
}
