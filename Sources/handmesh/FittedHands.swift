import ArgumentParser
import Fitting
import Foundation
import HandModel
import Render

/// The first fitted hand of each frame record in a file of `handmesh run` output, with the camera
/// its header names: what the evaluation commands compare with ground truth.
struct FittedHands {
    struct Hand {
        var side: HandSide
        var parameters: HandParameters
        /// The track's bone lengths (`bone_factors`, schema 1.4), which the record's mesh carries.
        var boneFactors: [Double]?
        /// The photo's own camera (a manifest's `image.camera`), which overrides the header's.
        var camera: PinholeCamera?
        /// Where the run cut the mask's forearm away (`fit.forearm_cut`, schema 1.5).
        var forearmCut: WristCut?
    }

    /// By frame index.
    var hands: [Int: Hand] = [:]
    /// The stream's configured intrinsics; nil when the run used the default camera.
    var camera: PinholeCamera?

    init(contentsOf url: URL) throws {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw ValidationError("\(url.path): cannot be read as UTF-8 text (\(FileManager.default.fileExists(atPath: url.path) ? "unreadable" : "no such file"))")
        }
        for (n, line) in text.split(separator: "\n").enumerated() {
            func fail(_ what: String) -> ValidationError { ValidationError("\(url.path) line \(n + 1): \(what)") }
            guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw fail("not a JSON object")
            }
            switch record["type"] as? String {
            case "header":
                camera = Self.camera(record["camera"])
            case "frame":
                guard let index = record["index"] as? Int else { throw fail("a frame record without an index") }
                guard let hand = (record["hands"] as? [[String: Any]])?.first,
                      let g = hand["global_orient"] as? [Double], g.count == 3,
                      let pose = hand["pose"] as? [Double], pose.count == 45,
                      let shape = hand["shape"] as? [Double], shape.count == 10,
                      let t = hand["transl"] as? [Double], t.count == 3 else { continue }
                hands[index] = Hand(side: hand["handedness"] as? String == "left" ? .left : .right,
                                    parameters: HandParameters(globalOrient: SIMD3(g[0], g[1], g[2]), pose: pose, shape: shape,
                                                               transl: SIMD3(t[0], t[1], t[2])),
                                    boneFactors: (hand["bone_factors"] as? [Double]).flatMap { $0.count == BoneLengths.count ? $0 : nil },
                                    camera: Self.camera((record["image"] as? [String: Any])?["camera"]),
                                    forearmCut: Self.forearmCut((hand["fit"] as? [String: Any])?["forearm_cut"]))
            default:
                continue
            }
        }
    }

    /// A record's `fit.forearm_cut` ({point, toward_arm}), or nil.
    static func forearmCut(_ value: Any?) -> WristCut? {
        guard let c = value as? [String: Any], let p = c["point"] as? [Double], p.count == 2,
              let d = c["toward_arm"] as? [Double], d.count == 2 else { return nil }
        return WristCut(point: SIMD2(p[0], p[1]), towardArm: SIMD2(d[0], d[1]))
    }

    /// A record's camera object ({fx, fy, cx, cy, distortion}), or nil.
    static func camera(_ value: Any?) -> PinholeCamera? {
        guard let c = value as? [String: Any], let fx = c["fx"] as? Double, let fy = c["fy"] as? Double,
              let cx = c["cx"] as? Double, let cy = c["cy"] as? Double else { return nil }
        let d = (c["distortion"] as? [Double] ?? []) + [Double](repeating: 0, count: 5)
        return PinholeCamera(fx: fx, fy: fy, cx: cx, cy: cy, k1: d[0], k2: d[1], p1: d[2], p2: d[3], k3: d[4])
    }
}
