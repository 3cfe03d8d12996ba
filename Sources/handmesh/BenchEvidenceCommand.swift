import ArgumentParser
import Crop
import Dispatch
import Evidence
import Foundation
import Neural
import Video

/// `handmesh bench evidence`: milliseconds per frame for crop + evidence (palm detection when it
/// runs, the rotated crop, the landmark model, projection, tracking) on a real clip.
///
/// Two modes, each on every frame of the clip, single-threaded:
/// - tracking: one hand at most, so once a hand is found its ROI comes from the previous frame's
///   landmarks and the palm detector stays off (MediaPipe's static_image_mode=False, max_num_hands=1);
/// - detection: palm detection and landmarks on every frame (static_image_mode=True).
/// Each mode runs in every precision asked for (the landmark network's: fp32, and int8 where the CPU
/// has VNNI), so both sit beside MediaPipe in one run.
/// Frames are decoded before timing starts; only `HandTracker.process` is timed. The figure per mode
/// is the median over runs of the mean time per frame. scripts/bench-evidence runs this beside
/// MediaPipe Python's `process()` on the same frames and prints the ratio.
struct BenchEvidence: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence",
        abstract: "Time crop + evidence per frame, tracking and detection modes.")

    @Option(help: "Input video.")
    var video = "../shared/data/stereo-hand/cam0_test.mp4"

    @Option(help: "Timed passes over the clip per mode.")
    var runs = 5

    @Option(help: "Use at most this many frames of the clip (0: all).")
    var frames = 0

    @Option(help: "Directory holding the .tflite models (default: HANDMESH_MODELS or the user's data directory).")
    var models: String?

    @Option(help: "Landmark-network precisions to measure, comma-separated: float32, int8 (default: both where the CPU runs int8).")
    var precision: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard runs >= 1 else { throw ValidationError("--runs must be at least 1") }
        guard frames >= 0 else { throw ValidationError("--frames must be 0 or more") }
    }

    func run() throws {
        let store = ModelStore(directory: models.map { URL(fileURLWithPath: $0, isDirectory: true) })
        // A missing or altered file fails here with the fix (`handmesh models fetch`) in the message.
        try store.verify(.palmDetectionFull)
        try store.verify(.handLandmarkFull)
        let palm = try TFLiteModel(contentsOf: store.url(for: .palmDetectionFull))
        let clip = try decode()

        // "precisions" holds each precision's modes; JSON keys are the precision that actually ran.
        var results: [String: Any] = ["video": video, "frames": clip.count, "runs": runs, "threads": 1,
                                      "default_precision": Precision.fastest.rawValue]
        var byPrecision: [String: Any] = [:]
        for precision in try BenchModels.precisions(precision) {
            let landmark = try TFLiteModel(contentsOf: store.url(for: .handLandmarkFull), precision: precision)
            var modes: [String: Any] = [:]
            for (mode, options) in Self.modes {
                let figures = try measure(clip, tracker: HandTracker(palmModel: palm, landmarkModel: landmark, options: options))
                modes[mode] = figures.json
                if !json {
                    print(String(format: "evidence %@ %@: %.2f ms/frame (median of %d runs; per-frame median %.2f ms; CPU %.2f ms/frame, cpu/wall %.2f); detector on %d of %d frames, a hand in %d",
                                 mode.padding(toLength: 20, withPad: " ", startingAt: 0),
                                 landmark.precision.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0),
                                 figures.medianRunMean, runs, figures.medianFrame, figures.cpuMillisecondsPerFrame,
                                 figures.cpuPerWall, figures.detectorFrames, clip.count, figures.handFrames))
                }
            }
            byPrecision[landmark.precision.rawValue] = modes
        }
        results["precisions"] = byPrecision
        if json {
            let data = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    /// max_hands 1 tracking and detection on every frame (MediaPipe's static_image_mode), then
    /// max_hands 2 with the palm search on MediaPipe's schedule (every frame while under max_hands),
    /// on every 2nd frame (the default), beside the landmarks on its own thread, and both.
    static let modes: [(String, HandTracker.Options)] = [
        ("tracking", .init(maxHands: 1)),
        ("detection", .init(maxHands: 1, staticImageMode: true)),
        ("two-every-frame", .init(maxHands: 2, detectionInterval: 1, concurrentDetection: false)),
        ("two-every-2nd", .init(maxHands: 2, detectionInterval: 2, concurrentDetection: false)),
        ("two-beside", .init(maxHands: 2, detectionInterval: 1, concurrentDetection: true)),
        ("two-2nd-beside", .init(maxHands: 2, detectionInterval: 2, concurrentDetection: true)),
    ]

    /// The clip's frames, decoded up front so decoding stays out of the timing.
    private func decode() throws -> [Frame] {
        let source = try VideoSource(InputSpec(parsing: video))
        var clip: [Frame] = []
        loop: while frames == 0 || clip.count < frames {
            switch source.next() {
            case .frame(let frame): clip.append(frame)
            case .end: break loop
            default: continue
            }
        }
        guard !clip.isEmpty else { throw ValidationError("\(video): no frames decoded") }
        return clip
    }

    private struct Figures {
        var medianRunMean: Double
        var medianFrame: Double
        var cpuPerWall: Double
        /// Process CPU time per frame, all runs together: on a busy machine wall time includes
        /// waiting for a core, CPU time doesn't.
        var cpuMillisecondsPerFrame: Double
        var detectorFrames: Int
        var handFrames: Int
        var runMeans: [Double]

        var json: [String: Any] {
            ["median_ms_per_frame": medianRunMean, "per_frame_median_ms": medianFrame, "run_means_ms": runMeans,
             "cpu_per_wall": cpuPerWall, "cpu_ms_per_frame": cpuMillisecondsPerFrame, "detector_frames": detectorFrames, "hand_frames": handFrames]
        }
    }

    private func measure(_ clip: [Frame], tracker: HandTracker) throws -> Figures {
        var hands: [HandEvidence] = []
        hands.reserveCapacity(4)
        // One untimed pass warms caches and the allocator.
        for frame in clip.prefix(10) { tracker.process(frame, into: &hands) }
        var runMeans: [Double] = []
        var perFrame: [Double] = []
        perFrame.reserveCapacity(clip.count * runs)
        var detectorFrames = 0, handFrames = 0
        var cpu = 0.0, wall = 0.0
        for _ in 0..<runs {
            tracker.reset()
            detectorFrames = 0
            handFrames = 0
            let cpuStart = Self.processCPUSeconds()
            var total: UInt64 = 0
            for frame in clip {
                let start = DispatchTime.now().uptimeNanoseconds
                tracker.process(frame, into: &hands)
                let elapsed = DispatchTime.now().uptimeNanoseconds - start
                total += elapsed
                perFrame.append(Double(elapsed) / 1e6)
                if tracker.lastDetectorRan { detectorFrames += 1 }
                if !hands.isEmpty { handFrames += 1 }
            }
            cpu += Self.processCPUSeconds() - cpuStart
            wall += Double(total) / 1e9
            runMeans.append(Double(total) / 1e6 / Double(clip.count))
        }
        return Figures(medianRunMean: Self.median(runMeans), medianFrame: Self.median(perFrame),
                       cpuPerWall: cpu / wall, cpuMillisecondsPerFrame: cpu * 1000 / Double(runs * clip.count),
                       detectorFrames: detectorFrames, handFrames: handFrames,
                       runMeans: runMeans)
    }

    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }

    /// User + system CPU time of the process: a check that the work stayed on one core.
    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}
