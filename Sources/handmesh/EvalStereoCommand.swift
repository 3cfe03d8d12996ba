import ArgumentParser
import Fitting
import Foundation
import HandModel

/// `handmesh eval stereo`: 3D accuracy of any run's records against points triangulated from both
/// calibrated views of the stereo clip: real geometry, not a model's or a network's.
struct EvalStereo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stereo",
        abstract: "3D error of records against points triangulated from two calibrated views.",
        discussion: """
        The truth: for each frame index with a hand in both --truth0 and --truth1 (records of the \
        two views, e.g. `handmesh run` on cam0_test.mp4 and cam1_test.mp4), the 2D landmarks are \
        undistorted and triangulated. Each RECORDS file is scored against it frame by frame: its \
        first hand's joints3d and world_landmarks after the best similarity (PA-MPJPE, mm). Frames \
        match by index, or by the image id where a frame names one (photos from a manifest whose \
        ids are the clip's frame numbers).
        """)

    @Option(help: "Records of view 0: the truth's 2D landmarks.") var truth0: String
    @Option(help: "Records of view 1, same instants.") var truth1: String
    @Option(help: "The stereo-hand camera_parameters folder.")
    var calibration = "../shared/data/stereo-hand/camera_parameters"
    @Argument(help: "Records to score.") var records: [String]

    func run() throws {
        let cal = try StereoCalibration(directory: URL(fileURLWithPath: calibration))
        let a = try ScoredHands(path: truth0), b = try ScoredHands(path: truth1)
        var truth: [Int: [SIMD3<Double>]] = [:]
        for (frame, ha) in a.hands {
            guard let hb = b.hands[frame] else { continue }
            truth[frame] = (0..<21).map { j in
                SequenceMetrics.triangulate(cal.camera0.undistort(ha.landmarks[j]), cal.camera1.undistort(hb.landmarks[j]),
                                            rotation: cal.rotation, translation: cal.translation)
            }
        }
        print("truth: \(truth.count) frames with a hand in both views")
        for path in records {
            let run = try ScoredHands(path: path)
            var joints: [Double] = [], world: [Double] = [], missed = 0
            for (frame, points) in truth where run.frames.contains(frame) {
                guard let hand = run.hands[frame] else { missed += 1; continue }
                if let j = hand.joints3d { joints.append(Procrustes.alignedMeanDistance(points, j) * 1000) }
                if let w = hand.world { world.append(Procrustes.alignedMeanDistance(points, w) * 1000) }
            }
            print(String(format: "%@: %d frames scored (%d of the truth's frames without a hand here); PA-MPJPE joints3d %.2f mm (median %.2f), world_landmarks %.2f mm",
                         path, joints.count, missed, FitBenchmark.mean(joints), median(joints), FitBenchmark.mean(world)))
        }
    }

    func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
    }
}

/// The first hand of each frame record: landmarks, world landmarks and fitted joints, by frame.
struct ScoredHands {
    struct Hand {
        var landmarks: [SIMD2<Double>]
        var world: [SIMD3<Double>]?
        var joints3d: [SIMD3<Double>]?
    }
    var hands: [Int: Hand] = [:]
    /// Every frame the records hold, with a hand or not.
    var frames: Set<Int> = []

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
            guard let hand = (object["hands"] as? [[String: Any]])?.first else { continue }
            func points3(_ key: String) -> [SIMD3<Double>]? {
                guard let p = hand[key] as? [[Double]], p.count == 21, p.allSatisfy({ $0.count == 3 }) else { return nil }
                return p.map { SIMD3($0[0], $0[1], $0[2]) }
            }
            guard let l = hand["landmarks"] as? [[Double]], l.count == 21, l.allSatisfy({ $0.count == 2 }) else {
                throw ValidationError("\(path): line \(n + 1): landmarks must be 21 [x, y] pairs")
            }
            hands[frame] = Hand(landmarks: l.map { SIMD2($0[0], $0[1]) }, world: points3("world_landmarks"),
                                joints3d: points3("joints3d"))
        }
    }
}
