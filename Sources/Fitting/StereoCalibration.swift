import Foundation
import HandModel

/// The stereo-hand calibration files (TemugeB/handpose3d's format): `c0.dat` / `c1.dat` hold
/// "intrinsic:" and a 3x3 K, then "distortion:" and k1 k2 p1 p2 k3; `rot_trans_c1.dat` holds
/// world-to-camera-1 R and T, then, after a comment line, camera 0 to camera 1 R and T.
public struct StereoCalibration: Sendable {
    public var camera0: PinholeCamera
    public var camera1: PinholeCamera
    /// x1 = rotation * x0 + translation (translation in the board's units).
    public var rotation: Mat3
    public var translation: SIMD3<Double>

    public init(directory: URL) throws {
        camera0 = try Self.camera(directory.appendingPathComponent("c0.dat"))
        camera1 = try Self.camera(directory.appendingPathComponent("c1.dat"))
        let url = directory.appendingPathComponent("rot_trans_c1.dat")
        let blocks = try Self.numberBlocks(url)
        // Blocks: R (9), T (3), R (9), T (3); the second pair is camera 0 to camera 1.
        guard blocks.count >= 4, blocks[2].count == 9, blocks[3].count == 3 else {
            throw FittingError(url.path, "expected two R, T pairs (9 and 3 numbers each), found blocks of \(blocks.map(\.count))")
        }
        let r = blocks[2]
        rotation = Mat3(SIMD3(r[0], r[3], r[6]), SIMD3(r[1], r[4], r[7]), SIMD3(r[2], r[5], r[8]))
        translation = SIMD3(blocks[3][0], blocks[3][1], blocks[3][2])
    }

    static func camera(_ url: URL) throws -> PinholeCamera {
        let blocks = try numberBlocks(url)
        guard blocks.count >= 2, blocks[0].count == 9, blocks[1].count == 5 else {
            throw FittingError(url.path, "expected a 3x3 intrinsic matrix and 5 distortion coefficients, found blocks of \(blocks.map(\.count))")
        }
        let k = blocks[0], d = blocks[1]
        return PinholeCamera(fx: k[0], fy: k[4], cx: k[2], cy: k[5], k1: d[0], k2: d[1], p1: d[2], p2: d[3], k3: d[4])
    }

    /// Numbers grouped by the label or comment lines that separate them.
    static func numberBlocks(_ url: URL) throws -> [[Double]] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw FittingError(url.path, "cannot read the file (\(error.localizedDescription))")
        }
        var blocks: [[Double]] = []
        var current: [Double] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            if trimmed.hasSuffix(":") || trimmed.hasPrefix("#") {
                if !current.isEmpty { blocks.append(current); current = [] }
                continue
            }
            for field in trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                guard let v = Double(field) else { throw FittingError(url.path, "line \(n + 1): \"\(field)\" is not a number") }
                current.append(v)
            }
        }
        if !current.isEmpty { blocks.append(current) }
        return blocks
    }
}
