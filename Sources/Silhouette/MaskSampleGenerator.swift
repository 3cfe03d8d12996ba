import Fitting
import HandModel
import Render

/// Training pairs for the mask regressor: a `MaskScene`, its silhouette rendered straight into
/// the hand's region at `canvasSide`² (four times the grid, so box averaging approximates the
/// area average a real mask gets), imperfections added (`MaskAugmentation`), its features, and
/// the keypoints as the network's target.
///
/// The region comes from the vertices' projected bounding box (a mesh's silhouette extends exactly
/// to its extreme vertices), then jittered by a few percent: a real mask's box moves by a pixel or
/// two with its boundary's imperfections. One generator per thread; it owns its buffers, so a
/// sample allocates nothing.
public struct MaskSampleGenerator {
    public static let canvasSide = 4 * MaskFeatures.gridSide
    public let model: HandModel
    public let sampler: PoseSampler
    public var augmentation = MaskAugmentation()
    /// The share of samples drawn as a hand dataset's 224 px crops (`CropScene`: fx 300-800, the
    /// hand 25-70% of the frame, any view, sometimes cut by the frame's edge) rather than as
    /// `MaskScene`'s webcam frames. 0 (the committed weights' setting) draws no random number for
    /// it; 0.5 was measured (README, "Real masks").
    public var cropShare = 0.0
    /// Confident fits of real footage; `selfAugmentation.realShare` of the webcam-frame samples are
    /// drawn around them. None (the committed weights) draws no random number for it.
    public var fits: [FittedFrame] = []
    public var selfAugmentation = SelfAugmentation()
    var crop: CropScene
    let workspace: HandModelWorkspace
    var vertices: [SIMD3<Double>]
    var keypoints = [SIMD3<Double>](repeating: .zero, count: 21)
    var screen: [SIMD3<Float>]
    var rasterizer = Rasterizer(width: canvasSide, height: canvasSide)
    var canvas = [UInt8](repeating: 0, count: canvasSide * canvasSide)
    var scratch = [UInt8](repeating: 0, count: canvasSide * canvasSide)

    public init(model: HandModel) {
        precondition(model.side == .right, "MaskSampleGenerator: the regressor learns right hands")
        self.model = model
        sampler = PoseSampler(model: model)
        workspace = HandModelWorkspace(model: model)
        vertices = [SIMD3<Double>](repeating: .zero, count: model.vertexCount)
        screen = [SIMD3<Float>](repeating: .zero, count: model.vertexCount)
        crop = CropScene(model: model)
    }

    /// Writes one sample's features (`MaskFeatures.count`) and target (`MaskRegressor.outputCount`).
    public mutating func sample(_ rng: inout SeededRandom, features: UnsafeMutableBufferPointer<Float>,
                                target: UnsafeMutableBufferPointer<Float>) {
        let camera: PinholeCamera
        var frame = SIMD2<Double>(repeating: .infinity)
        if cropShare > 0 && rng.uniform() < cropShare {
            crop.place(&rng)
            camera = crop.camera
            frame = SIMD2(repeating: Double(CropScene.side))
            let p = crop.parameters
            vertices.withUnsafeMutableBufferPointer { model.vertices(p, into: $0, jacobian: nil, workspace: workspace) }
            keypoints.withUnsafeMutableBufferPointer { model.keypoints(p, into: $0, jacobian: nil, workspace: workspace) }
        } else {
            var around: (pose: [Double], shape: [Double], rotation: Mat3)?
            if !fits.isEmpty && rng.uniform() < selfAugmentation.realShare {
                let fit = fits[min(fits.count - 1, Int(rng.uniform() * Double(fits.count)))]
                around = selfAugmentation.sample(around: fit, limits: sampler.limits, rng: &rng)
            }
            camera = vertices.withUnsafeMutableBufferPointer { v in
                keypoints.withUnsafeMutableBufferPointer { k in
                    MaskScene.sample(model: model, sampler: sampler, rng: &rng, workspace: workspace, vertices: v, keypoints: k,
                                     around: around)
                }
            }.camera
        }
        // The mask's box: the vertices' projected box, within the frame (a hand cut by its edge).
        var lo = SIMD2<Double>(repeating: .infinity), hi = SIMD2<Double>(repeating: -.infinity)
        for v in vertices {
            let p = camera.project(v)
            lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p)
        }
        if frame.x.isFinite {
            lo = pointwiseMax(lo, .zero)
            hi = pointwiseMin(hi, frame)
        }
        var region = MaskRegion(boundingLo: lo, hi: hi, pixelCount: 0)
        region.center += SIMD2(rng.gaussian(), rng.gaussian()) * 0.02 * region.side
        region.side *= rng.uniform(0.96, 1.06)
        renderFeatures(camera: camera, region: region, augmentation: augmentation, rng: &rng, features: features, frame: frame)
        keypoints.withUnsafeBufferPointer { MaskRegressor.writeTarget(joints: $0, region: region, camera: camera, into: target) }
    }

    /// Renders the hand of the last sample (or of `setVertices`) into `region`, adds `augmentation`'s
    /// imperfections and writes the features (`MaskFeatures.count`).
    /// Canvas pixels outside the frame (0..<`frame`, pixels) are background.
    public mutating func renderFeatures(camera: PinholeCamera, region: MaskRegion, augmentation: MaskAugmentation,
                                        rng: inout SeededRandom, features: UnsafeMutableBufferPointer<Float>,
                                        frame: SIMD2<Double> = SIMD2(repeating: .infinity)) {
        // Canvas pixels per frame pixel, and the canvas's origin in the frame.
        let scale = Double(Self.canvasSide) / region.side
        let origin = region.center - 0.5 * region.side
        for i in 0..<vertices.count {
            let p = camera.project(vertices[i])
            screen[i] = SIMD3(Float((p.x - origin.x) * scale), Float((p.y - origin.y) * scale), Float(vertices[i].z))
        }
        rasterizer.clear()
        // No culling: the mesh is open at the wrist (see `MaskScene.renderMask`).
        rasterizer.draw(screen: screen, faces: model.faces, culling: .none)
        let side = Self.canvasSide, clipped = frame.x.isFinite || frame.y.isFinite
        rasterizer.faceID.withUnsafeBufferPointer { fid in
            canvas.withUnsafeMutableBufferPointer { c in
                for y in 0..<side {
                    let fy = origin.y + (Double(y) + 0.5) / scale
                    for x in 0..<side {
                        let fx = origin.x + (Double(x) + 0.5) / scale
                        let inside = !clipped || (fx >= 0 && fy >= 0 && fx < frame.x && fy < frame.y)
                        c[y * side + x] = inside && fid[y * side + x] >= 0 ? 1 : 0
                    }
                }
            }
        }
        canvas.withUnsafeMutableBufferPointer { c in
            scratch.withUnsafeMutableBufferPointer { s in augmentation.apply(c, side: Self.canvasSide, scratch: s, rng: &rng) }
            MaskFeatures.writeCoverage(canvas: UnsafeBufferPointer(c), side: Self.canvasSide, into: features)
        }
        MaskFeatures.writeExtras(region: region, camera: camera, mirrored: false, into: features)
    }

    /// Sets the hand's vertices (camera frame, metres; `model.vertexCount` of them) for `renderFeatures`.
    public mutating func setVertices(_ v: [SIMD3<Double>]) {
        precondition(v.count == vertices.count, "MaskSampleGenerator.setVertices: \(v.count) vertices, expected \(vertices.count)")
        vertices = v
    }

    /// The keypoints (camera frame, metres) of the last sample.
    public var lastKeypoints: [SIMD3<Double>] { keypoints }
}
