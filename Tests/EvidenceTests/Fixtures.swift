import Crop
import Evidence
import Foundation
import Neural
import Video
import XCTest

/// Paths and loaders shared by the evidence tests: the real clip, the real models, and the
/// MediaPipe oracle file written by scripts/mediapipe_oracle.py.
enum Fixtures {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The real clip, read in place from the shared data next to the repository.
    static let clip = repository.appendingPathComponent("../shared/data/stereo-hand/cam0_test.mp4").standardized
    static let oracleFile = repository.appendingPathComponent(".cache/oracle/cam0_test.mediapipe.json")
    static let oracleCommand = ".venv-oracle/bin/python scripts/mediapipe_oracle.py ../shared/data/stereo-hand/cam0_test.mp4 .cache/oracle/cam0_test.mediapipe.json"

    /// The MediaPipe oracle, or a failure naming the command that makes it.
    static func oracle() throws -> Oracle {
        guard FileManager.default.fileExists(atPath: oracleFile.path) else {
            throw FixtureMissing(description: "MediaPipe oracle missing: \(oracleFile.path). Make it from the repository root with: \(oracleCommand)")
        }
        return try JSONDecoder().decode(Oracle.self, from: Data(contentsOf: oracleFile))
    }

    /// The model directory: `ModelStore`'s (HANDMESH_MODELS, else the user's data directory), else
    /// the repository's .cache/models.
    static func models() throws -> ModelStore {
        let candidates = [ModelStore(), ModelStore(directory: repository.appendingPathComponent(".cache/models"))]
        for store in candidates where HandNetwork.allCases.allSatisfy({ FileManager.default.fileExists(atPath: store.url(for: $0).path) }) {
            return store
        }
        throw FixtureMissing(description: "hand models missing in \(candidates.map(\.directory.path)); run `handmesh models fetch` or set HANDMESH_MODELS")
    }

    /// A tracker on the full models; `precision` is the landmark network's (the palm network's is fp32).
    static func tracker(_ options: HandTracker.Options = .init(), precision: Precision = .float32,
                        palmPrecision: Precision = .float32) throws -> HandTracker {
        let store = try models()
        return try HandTracker(palmModel: TFLiteModel(contentsOf: store.url(for: .palmDetectionFull), precision: palmPrecision),
                               landmarkModel: TFLiteModel(contentsOf: store.url(for: .handLandmarkFull), precision: precision),
                               options: options)
    }

    /// Calls `body` with each frame HandMesh's own decoder delivers from the clip.
    static func forEachFrame(_ body: (Frame) throws -> Void) throws {
        let source = try VideoSource(InputSpec(parsing: clip.path))
        while true {
            switch source.next() {
            case .frame(let frame): try body(frame)
            case .end: return
            default: continue
            }
        }
    }

    /// A frame of raw RGB24 bytes (as the oracle saved them) in a PixelBuffer.
    static func pixelBuffer(rgb file: URL, width: Int, height: Int) throws -> PixelBuffer {
        let bytes = try Data(contentsOf: file)
        XCTAssertEqual(bytes.count, width * height * 3, "\(file.path) is not a \(width)x\(height) RGB24 frame")
        let buffer = PixelBuffer(width: width, height: height)
        buffer.withUnsafeMutableBytes { out in
            bytes.withUnsafeBytes { src in
                for y in 0..<height {
                    (out.baseAddress! + y * buffer.rowBytes)
                        .copyMemory(from: src.baseAddress! + y * width * 3, byteCount: width * 3)
                }
            }
        }
        return buffer
    }
}

/// A missing test input; thrown, so the test fails with the message (never skips silently).
struct FixtureMissing: Error, CustomStringConvertible {
    var description: String
}

/// scripts/mediapipe_oracle.py's output.
struct Oracle: Decodable {
    struct Hand: Decodable {
        var landmarks: [[Double]]
        var world_landmarks: [[Double]]
        var handedness: String
        var handedness_score: Double
    }
    struct ROI: Decodable {
        var center: [Double]
        var size: [Double]
        var rotation: Double
    }
    struct FrameRecord: Decodable {
        var index: Int
        var hands: [Hand]
        var rois_from_landmarks: [ROI]
        var rois_from_palms: [ROI]
    }
    struct Crop: Decodable {
        var name: String
        var center: [Double]
        var size: [Double]
        var rotation: Double
        var output_size: Int
        var border: String
        var file: String
    }
    struct CropOracle: Decodable {
        var frame_index: Int
        var frame_file: String
        var width: Int
        var height: Int
        var crops: [Crop]
    }
    var width: Int
    var height: Int
    var pixel_sums: [String: [Int]]
    var crop_oracle: CropOracle
    var frames: [FrameRecord]
}

extension Oracle.ROI {
    var handROI: HandROI {
        HandROI(centerX: Float(center[0]), centerY: Float(center[1]), width: Float(size[0]),
                height: Float(size[1]), rotation: Float(rotation))
    }
}
