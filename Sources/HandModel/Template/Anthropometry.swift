/// The measurements the built-in hand is generated from, in metres.
///
/// Segment lengths are fractions of hand length (wrist crease to middle fingertip) from Buchholz,
/// Armstrong & Goldstein, "Anthropometric data for describing the kinematics of the human hand",
/// Ergonomics 35(3):261–273, 1992 (their segment-length coefficients, joint centre to joint centre,
/// distal segment to the fingertip). Hand length and breadth are rounded means of adult men and women
/// of the 1988 US Army anthropometric survey (Gordon et al., ANSUR, NATICK/TR-89/044: hand length
/// ≈ 194 / 181 mm, hand breadth at the metacarpals ≈ 89 / 79 mm). Finger breadths follow the joint
/// breadths of Vergara, Agost & Gracia-Ibáñez, "Dorsal and palmar aspect dimensions of hand
/// anthropometry for designing hand tools and protections", Human Factors and Ergonomics in
/// Manufacturing & Service Industries, 2018 (PIP ≈ 16–21 mm, DIP ≈ 14–18 mm across the fingers).
struct HandProportions: Sendable, Equatable {
    var handLength = 0.186
    var palmBreadth = 0.084
    /// Multiplies the metacarpal lengths.
    var palmLengthScale = 1.0
    /// Multiplies the phalanx lengths of thumb, index, middle, ring, pinky.
    var digitLengthScale: [Double] = [1, 1, 1, 1, 1]
    /// Multiplies the finger and thumb radii.
    var digitThicknessScale = 1.0
    /// Palm thickness at the metacarpal heads (dorsal to palmar skin).
    var palmThickness = 0.027

    // Buchholz et al. 1992: segment length / hand length.
    /// Metacarpal, proximal, middle, distal phalanx of index, middle, ring, pinky.
    static let fingerSegments: [[Double]] = [
        [0.374, 0.265, 0.143, 0.097],
        [0.373, 0.277, 0.170, 0.108],
        [0.336, 0.259, 0.165, 0.107],
        [0.295, 0.206, 0.117, 0.093],
    ]
    /// Thumb metacarpal, proximal and distal phalanx.
    static let thumbSegments: [Double] = [0.251, 0.196, 0.158]

    /// Finger radii (half the joint breadth) at MCP, PIP, DIP and at the tip cap's centre, index to pinky.
    static let fingerRadii: [[Double]] = [
        [0.0100, 0.0093, 0.0080, 0.0072],
        [0.0102, 0.0095, 0.0082, 0.0074],
        [0.0096, 0.0089, 0.0077, 0.0070],
        [0.0087, 0.0080, 0.0070, 0.0063],
    ]
    /// Thumb radii at CMC, MCP, IP and the tip cap's centre (thumb IP breadth ≈ 21 mm in the sources).
    static let thumbRadii: [Double] = [0.0135, 0.0112, 0.0104, 0.0088]
}

/// Joint positions of the built-in right hand and the chains the surface is built around.
/// Frame: wrist joint at the origin, fingers along +x, palm facing +y, thumb on the +z side.
struct Skeleton: Sendable {
    /// MANO's 16 joints.
    var joints: [SIMD3<Double>]
    /// Fingertip surface points: thumb, index, middle, ring, pinky.
    var tips: [SIMD3<Double>]
    /// Per finger (index, middle, ring, pinky): metacarpal base (carpometacarpal joint).
    var metacarpalBases: [SIMD3<Double>]

    /// MANO's joint numbers for index, middle, ring, pinky (MCP, PIP, DIP) and thumb (CMC, MCP, IP).
    static let fingerJoints = [[1, 2, 3], [4, 5, 6], [10, 11, 12], [7, 8, 9]]
    static let thumbJoints = [13, 14, 15]

    init(_ p: HandProportions) {
        let l = p.handLength, w = p.palmBreadth
        // The carpometacarpal joints sit about 7% of hand length distal to the wrist joint (the
        // capitate's length, ≈ 13 mm in an average hand).
        let carpal = 0.07 * l
        // Finger splay in the flat rest pose, radians toward the thumb; metacarpal spacing as
        // fractions of the palm breadth, index to pinky.
        let splay = [0.10, 0.02, -0.07, -0.17]
        let mcpSpread = [0.31, 0.07, -0.155, -0.36]
        let baseSpread = [0.17, 0.05, -0.07, -0.18]
        // The MCP heads form a transverse arch: ring and pinky sit slightly palmar.
        let arch = [0.0, 0.0, 0.002, 0.005]
        var joints = [SIMD3<Double>](repeating: .zero, count: 16)
        var tips = [SIMD3<Double>](repeating: .zero, count: 5)
        var bases: [SIMD3<Double>] = []
        for f in 0..<4 {
            let seg = HandProportions.fingerSegments[f].map { $0 * l }
            let base = SIMD3(carpal, arch[f] * 0.5, baseSpread[f] * w)
            let dz = (mcpSpread[f] - baseSpread[f]) * w
            let mcLength = seg[0] * p.palmLengthScale
            let mcp = SIMD3(carpal + (mcLength * mcLength - dz * dz).squareRoot(), arch[f], mcpSpread[f] * w)
            let d = SIMD3(Foundation.cos(splay[f]), 0, Foundation.sin(splay[f]))
            let s = p.digitLengthScale[f + 1]
            let ids = Skeleton.fingerJoints[f]
            joints[ids[0]] = mcp
            joints[ids[1]] = mcp + seg[1] * s * d
            joints[ids[2]] = joints[ids[1]] + seg[2] * s * d
            tips[f + 1] = joints[ids[2]] + seg[3] * s * d
            bases.append(base)
        }
        // Thumb: the trapeziometacarpal joint lies palmar and radial in the carpus; in the flat pose
        // the thumb points distally and radially, a little in front of the palm, turning toward the
        // fingers' direction segment by segment.
        let seg = HandProportions.thumbSegments.map { $0 * l }
        let cmc = SIMD3(0.075 * l, 0.009, 0.24 * w)
        func unit(_ v: SIMD3<Double>) -> SIMD3<Double> { v / (v * v).sum().squareRoot() }
        let dirs = [unit(SIMD3(0.77, 0.18, 0.56)), unit(SIMD3(0.86, 0.05, 0.48)), unit(SIMD3(0.92, 0.0, 0.38))]
        let s = p.digitLengthScale[0]
        joints[13] = cmc
        joints[14] = cmc + seg[0] * s * dirs[0]
        joints[15] = joints[14] + seg[1] * s * dirs[1]
        tips[0] = joints[15] + seg[2] * s * dirs[2]
        joints[0] = .zero
        self.joints = joints
        self.tips = tips
        self.metacarpalBases = bases
    }
}

import Foundation
