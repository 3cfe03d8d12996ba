import Foundation
import HandModel
import Video

/// Renders frames of a synthetic clip: the posed hand model plus a forearm stub over a background, lit
/// the way the synthetic-hand notes found MediaPipe's models need (wrap-around key, fill, a little
/// specular, ambient occlusion in the creases, a soft shadow on the background), and the hand's mask.
/// All buffers are made once; a frame allocates nothing.
public final class SynthScene {
    public let width: Int
    public let height: Int
    public let camera: RenderCamera
    public let model: HandModel
    public let material: SkinMaterial
    public let lighting: Lighting
    public let background: [UInt8]
    public let forearm: ForearmMesh

    /// The truth of one rendered frame: the model's 21 keypoints in camera space (metres) and in pixels.
    public struct Truth: Sendable {
        public var parameters: HandParameters
        public var joints3d: [SIMD3<Double>]
        public var joints2d: [SIMD2<Double>]
        public var gesture: String
        /// How much of the pose `gesture` is: 1 while it is held, from 0.5 during a blend.
        public var gestureWeight: Double
    }

    private let workspace: HandModelWorkspace
    private let wristJoint: SIMD3<Double>
    /// Hand faces, then forearm faces re-indexed into the scene's vertex array; `faces` is both.
    private let handFaces: [SIMD3<Int32>]
    private let forearmFaces: [SIMD3<Int32>]
    private let faces: [SIMD3<Int32>]
    private var handVertices: [SIMD3<Double>]
    private var keypoints: [SIMD3<Double>]
    private var sceneVertices: [SIMD3<Float>]
    private var screen: [SIMD3<Float>] = []
    private var normals: [SIMD3<Float>] = []
    private var rasterizer: Rasterizer
    private var shadow: [Float]
    private var shadowScratch: [Float]
    private var occlusion: [Float]

    /// - Parameters:
    ///   - shape: the clip's shape coefficients (the forearm is fitted to that hand's wrist).
    ///   - fieldOfViewDegrees: across the larger side; 60° is the fitting's default camera.
    public init(width: Int, height: Int, model: HandModel, shape: [Double], seed: UInt64,
                background style: SynthBackground.Style = .cluttered, fieldOfViewDegrees: Float = 60) {
        self.width = width
        self.height = height
        self.model = model
        camera = RenderCamera(width: width, height: height, fieldOfViewDegrees: fieldOfViewDegrees)
        var rng = SynthRandom(seed: seed ^ 0x5EED_0F_5C1E)
        material = SkinMaterial.tones[rng.index(SkinMaterial.tones.count)]
        lighting = .studio
        background = SynthBackground.make(width: width, height: height, style: style, seed: seed)
        let ws = HandModelWorkspace(model: model)
        workspace = ws
        let shaped = HandParameters(shape: shape)
        let rest = model.vertices(shaped)
        var joints = [SIMD3<Double>](repeating: .zero, count: HandModel.jointCount)
        joints.withUnsafeMutableBufferPointer { model.joints(shaped, into: $0, workspace: ws) }
        wristJoint = joints[0]
        forearm = ForearmMesh(restVertices: rest, articulation: HandArticulation(model: model))
        let v = Int32(model.vertexCount)
        handFaces = model.faces
        forearmFaces = forearm.faces.map { $0 &+ SIMD3(repeating: v) }
        faces = handFaces + forearmFaces
        handVertices = rest
        keypoints = [SIMD3<Double>](repeating: .zero, count: HandModel.keypointCount)
        sceneVertices = [SIMD3<Float>](repeating: .zero, count: model.vertexCount + forearm.vertices.count)
        rasterizer = Rasterizer(width: width, height: height)
        shadow = [Float](repeating: 0, count: width * height)
        shadowScratch = shadow
        occlusion = [Float](repeating: 1, count: width * height)
    }

    /// Draws `pose` into `image` (its size) and the hand's mask (255 where the hand model's mesh projects,
    /// 0 elsewhere; `width * height` bytes) and returns the truth.
    public func render(_ pose: SynthAnimation.Pose, into image: PixelBuffer, mask: inout [UInt8]) -> Truth {
        precondition(image.width == width && image.height == height, "SynthScene: image size differs from the scene's")
        let p = pose.parameters
        handVertices.withUnsafeMutableBufferPointer { model.vertices(p, into: $0, jacobian: nil, workspace: workspace) }
        keypoints.withUnsafeMutableBufferPointer { model.keypoints(p, into: $0, jacobian: nil, workspace: workspace) }
        let hv = model.vertexCount
        for i in 0..<hv { sceneVertices[i] = SIMD3<Float>(handVertices[i]) }
        let arm = pose.armRotation, anchor = wristJoint + p.transl
        for (i, f) in forearm.vertices.enumerated() {
            sceneVertices[hv + i] = SIMD3<Float>(arm * (f - wristJoint) + anchor)
        }
        VertexNormals.compute(vertices: sceneVertices, faces: faces, into: &normals)
        camera.projectToScreen(sceneVertices, into: &screen)
        rasterizer.clear()
        // The hand first: its coverage alone is the mask (the whole model silhouette, even where the forearm
        // passes in front of the wrist), then the forearm joins the depth test.
        rasterizer.draw(screen: screen, faces: handFaces)
        if mask.count != width * height { mask = [UInt8](repeating: 0, count: width * height) }
        rasterizer.faceID.withUnsafeBufferPointer { fid in
            mask.withUnsafeMutableBufferPointer { m in
                for k in 0..<m.count { m[k] = fid[k] >= 0 ? 255 : 0 }
            }
        }
        rasterizer.draw(screen: screen, faces: forearmFaces, firstFaceID: Int32(handFaces.count))

        // Background, darkened by the soft shadow, then the shaded hand and forearm.
        image.withUnsafeMutableBytes { raw in
            let px = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            for y in 0..<height {
                let row = px + y * image.rowBytes
                background.withUnsafeBufferPointer { bg in
                    for i in 0..<(3 * width) { row[i] = bg[y * 3 * width + i] }
                }
            }
        }
        castShadow(into: image)
        computeOcclusion()
        MeshCompositor.composite(rasterizer, faces: faces, normals: normals, camera: camera, lighting: lighting,
                                 material: material, occlusion: occlusion, into: image)
        let j2 = keypoints.map { k -> SIMD2<Double> in
            let uv = camera.project(SIMD3<Float>(k))
            return SIMD2<Double>(uv)
        }
        return Truth(parameters: p, joints3d: keypoints, joints2d: j2, gesture: pose.gesture, gestureWeight: pose.gestureWeight)
    }

    /// A soft drop shadow on the background: the silhouette moved away from the key light (up-left, so the
    /// shadow falls down-right), blurred by two box passes (close to a Gaussian), and multiplied in.
    private func castShadow(into image: PixelBuffer) {
        let drawn = rasterizer.written.intersection(rasterizer.bounds)
        if drawn.isEmpty { return }
        let depth: Float = 0.5
        let offset = SIMD2<Int>(Int((0.02 * camera.fx / depth).rounded()), Int((0.028 * camera.fy / depth).rounded()))
        let radius = max(2, Int((0.012 * camera.fx / depth).rounded()))
        let grow = 2 * radius + 1
        let region = PixelRect(minX: drawn.minX - grow, minY: drawn.minY - grow,
                               maxX: drawn.maxX + offset.x + grow, maxY: drawn.maxY + offset.y + grow)
            .intersection(rasterizer.bounds)
        let w = width
        rasterizer.faceID.withUnsafeBufferPointer { fid in
            shadow.withUnsafeMutableBufferPointer { a in
                shadowScratch.withUnsafeMutableBufferPointer { b in
                    for y in region.minY..<region.maxY {
                        for x in region.minX..<region.maxX {
                            let sx = x - offset.x, sy = y - offset.y
                            a[y * w + x] = sx >= 0 && sy >= 0 && sx < w && sy < height && fid[sy * w + sx] >= 0 ? 1 : 0
                        }
                    }
                    for _ in 0..<2 {
                        Self.boxBlur(from: a, to: b, region: region, width: w, radius: radius, horizontal: true)
                        Self.boxBlur(from: b, to: a, region: region, width: w, radius: radius, horizontal: false)
                    }
                    image.withUnsafeMutableBytes { raw in
                        let px = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                        for y in region.minY..<region.maxY {
                            for x in region.minX..<region.maxX where fid[y * w + x] < 0 {
                                let s = 1 - 0.42 * a[y * w + x]
                                let q = px + y * image.rowBytes + 3 * x
                                q[0] = UInt8(Float(q[0]) * s)
                                q[1] = UInt8(Float(q[1]) * s)
                                q[2] = UInt8(Float(q[2]) * s)
                            }
                        }
                    }
                }
            }
        }
    }

    /// One box-filter pass of half-width `radius` over `region`, treating outside the region as zero.
    private static func boxBlur(from src: UnsafeMutableBufferPointer<Float>, to dst: UnsafeMutableBufferPointer<Float>,
                                region r: PixelRect, width w: Int, radius: Int, horizontal: Bool) {
        let scale = 1 / Float(2 * radius + 1)
        let (outerLo, outerHi, innerLo, innerHi) = horizontal ? (r.minY, r.maxY, r.minX, r.maxX) : (r.minX, r.maxX, r.minY, r.maxY)
        for o in outerLo..<outerHi {
            @inline(__always) func at(_ i: Int) -> Int { horizontal ? o * w + i : i * w + o }
            var sum: Float = 0
            for i in innerLo..<min(innerHi, innerLo + radius) { sum += src[at(i)] }
            for i in innerLo..<innerHi {
                if i + radius < innerHi { sum += src[at(i + radius)] }
                dst[at(i)] = sum * scale
                if i - radius >= innerLo { sum -= src[at(i - radius)] }
            }
        }
    }

    /// Screen-space ambient occlusion: a drawn pixel is darkened by how many nearby samples (8 directions,
    /// two radii of 7 and 15 mm at its depth) lie markedly nearer the camera, i.e. surfaces overhanging it:
    /// the creases between fingers and under a curled thumb.
    private func computeOcclusion() {
        let r = rasterizer.written.intersection(rasterizer.bounds)
        if r.isEmpty { return }
        let w = width, h = height, f = camera.fx
        let dirs: [SIMD2<Float>] = (0..<8).map { SIMD2(cosf(Float($0) * .pi / 4), sinf(Float($0) * .pi / 4)) }
        rasterizer.inverseDepth.withUnsafeBufferPointer { iz in
            occlusion.withUnsafeMutableBufferPointer { ao in
                for y in r.minY..<r.maxY {
                    for x in r.minX..<r.maxX {
                        let k = y * w + x
                        if iz[k] <= 0 { continue }
                        let z = 1 / iz[k]
                        var occ: Float = 0
                        for radius: Float in [0.007, 0.015] {
                            let rp = radius * f / z
                            for d in dirs {
                                let sx = x + Int(d.x * rp), sy = y + Int(d.y * rp)
                                guard sx >= 0, sy >= 0, sx < w, sy < h else { continue }
                                let q = iz[sy * w + sx]
                                if q <= 0 { continue }
                                let dz = z - 1 / q
                                // Nearer by 3 to 30 mm counts fully; much nearer is a separate object in front.
                                if dz > 0.003 && dz < 0.06 { occ += min(1, dz / 0.02) }
                            }
                        }
                        ao[k] = 1 - 0.55 * occ / 16
                    }
                }
            }
        }
    }
}
