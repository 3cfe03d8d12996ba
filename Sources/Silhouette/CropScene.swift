import Fitting
import Foundation
import HandModel
import Render

/// A right hand as public hand datasets crop it: a 224 × 224 mask with its camera, the hand filling
/// 25–70% of the side, from any viewpoint. Issue 14 measured such masks: focal lengths of 390–680 px
/// for 224 px crops, hands from many viewpoints, cut at the wrist, their edges JPEG-compressed and
/// thresholded; the draws here are a little wider (300–800 px).
///
/// Draws: a pose (given, from real fits, or `PoseSampler`'s), the population's range of shapes, a
/// uniformly random rotation (side and edge-on views included), fx 300–800 with the principal point
/// near the centre, the hand's longer extent 25–70% of the side, placed inside the frame (one scene in
/// ten cut by its edge); the mask's imperfections (`augmentation`, one-pixel gaps between touching
/// fingers, thresholded soft edges); `forearmProbability` of the scenes carry a forearm, a short stub or the whole
/// arm (a thresholded depth camera sees it), the others end at the wrist. Drawing a forearm
/// allocates: this makes data sets, not frames.
public struct CropScene {
    public static let side = 224
    public static let focalRange = 300.0...800.0
    public static let fillRange = 0.25...0.7

    public var parameters = HandParameters()
    public var camera = PinholeCamera(fx: 500, fy: 500, cx: 112, cy: 112)
    /// Metres of forearm behind the wrist; 0 for none.
    public var forearmLength = 0.0
    /// The keypoints (camera frame, metres) and the mask (`side`², 255 hand) of the last draw.
    public private(set) var keypoints = [SIMD3<Double>](repeating: .zero, count: 21)
    public private(set) var mask = [UInt8](repeating: 0, count: side * side)

    public let model: HandModel
    public var augmentation = MaskAugmentation()
    /// The share of scenes with a forearm.
    public var forearmProbability = 0.5
    /// The share of masks whose touching fingers are parted by a one-pixel gap, as a segmenter or a
    /// depth threshold parts them.
    public var fingerGapProbability = 0.5
    /// The share of masks whose edges are softened and thresholded again at a random level, as a
    /// JPEG-coded mask read back and thresholded is.
    public var softEdgeProbability = 0.5
    /// Per face, the finger its first vertex follows most (0 palm, 1-5 fingers).
    let faceFinger: [UInt8]
    let sampler: PoseSampler
    let workspace: HandModelWorkspace
    var vertices: [SIMD3<Double>]
    var joints = [SIMD3<Double>](repeating: .zero, count: HandModel.jointCount)
    var screen: [SIMD3<Float>] = []
    var rasterizer = Rasterizer(width: side, height: side)
    var canvas = [UInt8](repeating: 0, count: side * side)
    var scratch = [UInt8](repeating: 0, count: side * side)

    public init(model: HandModel) {
        precondition(model.side == .right, "CropScene: draws right hands")
        self.model = model
        sampler = PoseSampler(model: model)
        workspace = HandModelWorkspace(model: model)
        vertices = [SIMD3<Double>](repeating: .zero, count: model.vertexCount)
        // MANO's 16 joints: the wrist, then three a finger.
        let joints = model.tensors.weights.count / max(model.vertexCount, 1)
        faceFinger = model.faces.map { f in
            let v = Int(f.x)
            var best = 0
            for j in 0..<joints where model.tensors.weights[v * joints + j] > model.tensors.weights[v * joints + best] { best = j }
            return UInt8(best == 0 ? 0 : (best - 1) / 3 + 1)
        }
    }

    /// Draws a scene (pose `pose` and shape `shape` when given) and renders its mask.
    public mutating func draw(_ rng: inout SeededRandom, pose: [Double]? = nil, shape: [Double]? = nil) {
        place(&rng, pose: pose, shape: shape)
        render()
    }

    /// Draws a scene's `parameters`, `camera` and `forearmLength` without rendering it.
    public mutating func place(_ rng: inout SeededRandom, pose: [Double]? = nil, shape: [Double]? = nil) {
        let side = Double(Self.side)
        var p = HandParameters(pose: pose ?? sampler.sample(&rng), shape: shape ?? PoseSampler.sampleShape(&rng))
        p.globalOrient = AxisAngle.vector(AxisAngle.random(&rng))
        let f = rng.uniform(Self.focalRange.lowerBound, Self.focalRange.upperBound)
        camera = PinholeCamera(fx: f, fy: f, cx: side / 2 + 8 * rng.gaussian(), cy: side / 2 + 8 * rng.gaussian())
        // A stub (a cut a little below the wrist) or the whole forearm, out of the frame.
        forearmLength = rng.uniform() >= forearmProbability ? 0 : (rng.uniform() < 0.5 ? rng.uniform(0.01, 0.08) : 0.34)
        vertices.withUnsafeMutableBufferPointer { model.vertices(p, into: $0, jacobian: nil, workspace: workspace) }
        // Depth for the fill: extent scales as 1/z, twice for perspective.
        let fill = rng.uniform(Self.fillRange.lowerBound, Self.fillRange.upperBound)
        var centroid = SIMD3<Double>.zero
        for v in vertices { centroid += v }
        centroid /= Double(vertices.count)
        var z = 0.5
        for _ in 0..<3 {
            let (lo, hi) = extent(offset: SIMD3(0, 0, z) - centroid)
            z *= max(hi.x - lo.x, hi.y - lo.y) / (fill * side)
        }
        // Anywhere the hand stays inside; one in ten pushed up to a fifth of its extent past an edge.
        let (lo, hi) = extent(offset: SIMD3(0, 0, z) - centroid)
        let size = hi - lo, mid = 0.5 * (lo + hi)
        let slack = rng.uniform() < 0.1 ? 0.2 * size : SIMD2<Double>.zero
        let u = rng.uniform(-slack.x + size.x / 2, side + slack.x - size.x / 2)
        let v = rng.uniform(-slack.y + size.y / 2, side + slack.y - size.y / 2)
        let shift = SIMD2(u, v) - mid
        p.transl = SIMD3(shift.x / camera.fx * z, shift.y / camera.fy * z, z) - centroid
        parameters = p
    }

    /// The projected bounding box of the posed vertices moved by `offset`.
    func extent(offset: SIMD3<Double>) -> (SIMD2<Double>, SIMD2<Double>) {
        var lo = SIMD2<Double>(repeating: .infinity), hi = -lo
        for v in vertices {
            let q = camera.project(v + offset)
            lo = pointwiseMin(lo, q)
            hi = pointwiseMax(hi, q)
        }
        return (lo, hi)
    }

    /// Renders `parameters` (with the forearm) into `mask`, with `augmentation`'s imperfections.
    public mutating func render() {
        let p = parameters
        vertices.withUnsafeMutableBufferPointer { model.vertices(p, into: $0, jacobian: nil, workspace: workspace) }
        keypoints.withUnsafeMutableBufferPointer { model.keypoints(p, into: $0, jacobian: nil, workspace: workspace) }
        let renderCamera = RenderCamera(camera)
        vertices.withUnsafeBufferPointer { renderCamera.projectToScreen($0, into: &screen) }
        rasterizer.clear()
        rasterizer.draw(screen: screen, faces: model.faces, culling: .none)
        if forearmLength > 0 {
            // The arm straight behind the hand, rigid with its root about the wrist joint.
            var shaped = p
            shaped.globalOrient = .zero
            shaped.pose = [Double](repeating: 0, count: 45)
            shaped.transl = .zero
            let rest = model.vertices(shaped)
            joints.withUnsafeMutableBufferPointer { model.joints(shaped, into: $0, workspace: workspace) }
            let arm = ForearmMesh(restVertices: rest, articulation: HandArticulation(model: model), length: forearmLength)
            let r = AxisAngle.matrix(p.globalOrient), wrist = joints[0]
            let placed = arm.vertices.map { r * ($0 - wrist) + wrist + p.transl }
            var armScreen: [SIMD3<Float>] = []
            placed.withUnsafeBufferPointer { renderCamera.projectToScreen($0, into: &armScreen) }
            rasterizer.draw(screen: armScreen, faces: arm.faces, firstFaceID: Int32(model.faces.count), culling: .none)
        }
        let n = Self.side * Self.side
        rasterizer.faceID.withUnsafeBufferPointer { fid in
            canvas.withUnsafeMutableBufferPointer { c in for i in 0..<n { c[i] = fid[i] >= 0 ? 1 : 0 } }
        }
        if noise.uniform() < fingerGapProbability { partFingers() }
        canvas.withUnsafeMutableBufferPointer { c in
            scratch.withUnsafeMutableBufferPointer { s in augmentation.apply(c, side: Self.side, scratch: s, rng: &noise) }
        }
        if noise.uniform() < softEdgeProbability { softenEdges(threshold: noise.uniform(0.3, 0.7)) }
        for i in 0..<n { mask[i] = canvas[i] != 0 ? 255 : 0 }
    }

    /// Clears hand pixels next to a pixel of another finger at about the same depth (within 1 cm):
    /// fingers side by side, not one in front of the other, which a mask would show whole.
    mutating func partFingers() {
        let w = Self.side
        let hand = Int32(model.faces.count)
        for y in 1..<(w - 1) {
            for x in 1..<(w - 1) {
                let k = y * w + x, f = rasterizer.faceID[k]
                guard f >= 0, f < hand else { continue }
                let finger = faceFinger[Int(f)]
                guard finger != 0 else { continue }
                let z = 1 / rasterizer.inverseDepth[k]
                func touches(_ q: Int) -> Bool {
                    let g = rasterizer.faceID[q]
                    guard g >= 0, g < hand else { return false }
                    let other = faceFinger[Int(g)]
                    return other != 0 && other != finger && abs(1 / rasterizer.inverseDepth[q] - z) < 0.01
                }
                if touches(k + 1) || touches(k + w) { canvas[k] = 0 }
            }
        }
    }

    /// A 3 × 3 box blur of the mask, thresholded at `threshold`: edges move by up to a pixel and
    /// corners round, as a JPEG-coded mask's do once thresholded.
    mutating func softenEdges(threshold: Double) {
        let w = Self.side
        for i in 0..<(w * w) { scratch[i] = canvas[i] }
        let limit = Int((threshold * 9).rounded())
        for y in 0..<w {
            for x in 0..<w {
                var sum = 0
                for dy in -1...1 {
                    for dx in -1...1 {
                        let yy = min(max(y + dy, 0), w - 1), xx = min(max(x + dx, 0), w - 1)
                        sum += Int(scratch[yy * w + xx])
                    }
                }
                canvas[y * w + x] = sum >= max(limit, 1) ? 1 : 0
            }
        }
    }

    /// The imperfections' own stream, so that the scene's draws do not depend on them.
    var noise = SeededRandom(seed: 14)
}
