import Foundation

/// Per-frame hand evidence read back from JSON lines with the fields of HandMesh's frame records
/// (`index`, `pts`, `width`, `height`, `hands` with `track`, `handedness`, `landmarks`,
/// `world_landmarks`, optional `roi`); also what scripts/fit_landmarks_oracle.py writes.
/// For measurements on recorded evidence, never in the live path.
public struct EvidenceRecords: Sendable {
    public struct Frame: Sendable {
        public var index: Int
        public var time: Double
        public var track: Int
        public var evidence: FitEvidence
    }
    /// One entry per frame record, nil where the frame has no hand (the first hand is taken).
    public var frames: [Frame?]
    public var width: Int
    public var height: Int

    public init(contentsOf url: URL) throws {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw FittingError(url.path, "cannot read the file (\(error.localizedDescription))")
        }
        var frames: [Frame?] = []
        var width = 0, height = 0
        for (n, line) in text.split(separator: "\n").enumerated() {
            func fail(_ what: String) -> FittingError { FittingError(url.path, "line \(n + 1): \(what)") }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw fail("not a JSON object")
            }
            if let type = object["type"] as? String, type != "frame" { continue }
            guard let index = object["index"] as? Int, let hands = object["hands"] as? [[String: Any]] else {
                throw fail("a frame record needs index and hands")
            }
            width = object["width"] as? Int ?? width
            height = object["height"] as? Int ?? height
            let time = object["pts"] as? Double ?? Double(index) / 30
            guard let hand = hands.first else { frames.append(nil); continue }
            guard let landmarks = hand["landmarks"] as? [[Double]], landmarks.count == 21, landmarks.allSatisfy({ $0.count == 2 }) else {
                throw fail("landmarks must be 21 [x, y] pairs")
            }
            var world: [SIMD3<Double>]? = nil
            if let w = hand["world_landmarks"] as? [[Double]] {
                guard w.count == 21, w.allSatisfy({ $0.count == 3 }) else { throw fail("world_landmarks must be 21 [x, y, z] triples") }
                world = w.map { SIMD3($0[0], $0[1], $0[2]) }
            }
            var center: SIMD2<Double>? = nil, size: Double? = nil
            if let roi = hand["roi"] as? [String: Any], let cx = roi["cx"] as? Double, let cy = roi["cy"] as? Double,
               let s = roi["size"] as? Double {
                center = SIMD2(cx, cy)
                size = s
            }
            let evidence = FitEvidence(keypoints: landmarks.map { SIMD2($0[0], $0[1]) }, world: world,
                                       isLeft: (hand["handedness"] as? String) == "left", roiCenter: center, roiSize: size)
            frames.append(Frame(index: index, time: time, track: hand["track"] as? Int ?? 0, evidence: evidence))
        }
        guard !frames.isEmpty else { throw FittingError(url.path, "no frame records") }
        self.frames = frames
        self.width = width
        self.height = height
    }
}
