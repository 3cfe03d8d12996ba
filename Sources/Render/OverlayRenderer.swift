import HandModel
import Video

/// Draws estimated hands over video frames: each hand's mesh shaded (Lambert plus ambient, a skin tone,
/// partly transparent so the real hand shows through), then its 21 joints and bones on top.
///
/// One renderer per output; not thread-safe (it owns its buffers). After the first frame of a size and
/// hand count, a frame allocates nothing.
public final class OverlayRenderer {
    /// One hand to draw.
    public struct Hand: Sendable {
        public var parameters: HandParameters
        public var side: HandSide
        /// The 21 keypoints in pixels (a record's `joints2d`); nil projects the model's own keypoints.
        public var keypoints2D: [SIMD2<Float>]?

        public init(parameters: HandParameters, side: HandSide, keypoints2D: [SIMD2<Float>]? = nil) {
            self.parameters = parameters
            self.side = side
            self.keypoints2D = keypoints2D
        }
    }

    public private(set) var width: Int
    public private(set) var height: Int
    public var camera: RenderCamera
    public var lighting: Lighting = .overlay
    public var material: SkinMaterial = .overlay
    /// How much the mesh hides the video under it.
    public var opacity: Float = 0.75
    public var drawSkeleton = true

    private let rightModel: HandModel
    private let leftModel: HandModel
    private let workspace: HandModelWorkspace
    private var rasterizer: Rasterizer
    private var output: PixelBuffer
    private var modelVertices: [SIMD3<Double>] = []
    private var modelKeypoints: [SIMD3<Double>]
    private var vertices: [SIMD3<Float>] = []
    private var screen: [SIMD3<Float>] = []
    private var normals: [SIMD3<Float>] = []
    private var colors: [SIMD3<Float>] = []
    private var faces: [SIMD3<Int32>] = []
    private var facesSides: [HandSide] = []
    private var keypoints: [SIMD2<Float>]
    private let outwardWound: Bool

    /// - Parameters:
    ///   - camera: the intrinsics the fit used for these frames.
    ///   - right, left: the hand models the parameters belong to (the built-in hands unless a MANO file was loaded).
    public init(width: Int, height: Int, camera: RenderCamera,
                right: HandModel = .builtIn(side: .right), left: HandModel = .builtIn(side: .left)) {
        self.width = width
        self.height = height
        self.camera = camera
        rightModel = right
        leftModel = left
        workspace = HandModelWorkspace(model: right)
        rasterizer = Rasterizer(width: width, height: height)
        output = PixelBuffer(width: width, height: height)
        modelKeypoints = [SIMD3<Double>](repeating: .zero, count: HandModel.keypointCount)
        keypoints = [SIMD2<Float>](repeating: .zero, count: HandModel.keypointCount)
        outwardWound = OverlayRenderer.isWoundOutward(right) && OverlayRenderer.isWoundOutward(left)
    }

    /// Whether a model's faces wind counter-clockwise about outward normals: its signed volume
    /// Σ a · (b − a) × (c − a) / 6 over the faces is positive (the wrist opening barely changes it).
    static func isWoundOutward(_ model: HandModel) -> Bool {
        let v = model.restVertices
        var volume = 0.0
        for f in model.faces {
            let a = v[Int(f.x)], b = v[Int(f.y)], c = v[Int(f.z)]
            let e1 = b - a, e2 = c - a
            volume += (a * SIMD3(e1.y * e2.z - e1.z * e2.y, e1.z * e2.x - e1.x * e2.z, e1.x * e2.y - e1.y * e2.x)).sum()
        }
        return volume > 0
    }

    private func model(_ side: HandSide) -> HandModel { side == .right ? rightModel : leftModel }

    /// The frame with `hands` drawn over it, in the renderer's own buffer: valid until the next call.
    /// The frame itself is not modified (pipeline frames are shared and immutable).
    public func render(_ frame: PixelBuffer, hands: [Hand]) -> PixelBuffer {
        if frame.width != width || frame.height != height {
            // A new size (a source that changed resolution): new buffers, once.
            width = frame.width
            height = frame.height
            rasterizer = Rasterizer(width: width, height: height)
            output = PixelBuffer(width: width, height: height)
        }
        frame.withUnsafeBytes { src in
            output.withUnsafeMutableBytes { dst in
                let n = min(src.count, dst.count)
                dst.baseAddress!.copyMemory(from: src.baseAddress!, byteCount: n)
            }
        }
        draw(hands, into: output)
        return output
    }

    /// Draws `hands` straight into `image`, which the caller owns (a buffer nobody else reads meanwhile).
    public func draw(_ hands: [Hand], into image: PixelBuffer) {
        precondition(image.width == rasterizer.width && image.height == rasterizer.height,
                     "OverlayRenderer: image \(image.width)x\(image.height), renderer \(rasterizer.width)x\(rasterizer.height)")
        rasterizer.clear()
        guard !hands.isEmpty else { return }
        prepareMeshes(for: hands)
        var offset = 0
        for hand in hands {
            let m = model(hand.side)
            let n = m.vertexCount
            if modelVertices.count < n { modelVertices = [SIMD3<Double>](repeating: .zero, count: n) }
            modelVertices.withUnsafeMutableBufferPointer {
                m.vertices(hand.parameters, into: UnsafeMutableBufferPointer(rebasing: $0[0..<n]), jacobian: nil, workspace: workspace)
            }
            for i in 0..<n { vertices[offset + i] = SIMD3<Float>(modelVertices[i]) }
            offset += n
        }
        VertexNormals.compute(vertices: vertices, faces: faces, into: &normals)
        camera.projectToScreen(vertices, into: &screen)
        // Both built-in hands (and MANO's) are wound outward, so back faces can go: half the raster work.
        rasterizer.draw(screen: screen, faces: faces, culling: outwardWound ? .back : .none)
        MeshCompositor.compositeGouraud(rasterizer, faces: faces, vertices: vertices, normals: normals, lighting: lighting,
                                        material: material, opacity: opacity, colors: &colors, into: image)
        guard drawSkeleton else { return }
        let scale = Float(max(image.width, image.height)) / 640
        for hand in hands {
            if let k = hand.keypoints2D, k.count == HandModel.keypointCount {
                SkeletonDrawing.draw(keypoints: k, into: image, thickness: 2.5 * scale, radius: 3.5 * scale)
                continue
            }
            let m = model(hand.side)
            modelKeypoints.withUnsafeMutableBufferPointer {
                m.keypoints(hand.parameters, into: $0, jacobian: nil, workspace: workspace)
            }
            for i in 0..<HandModel.keypointCount {
                let p = SIMD3<Float>(modelKeypoints[i])
                keypoints[i] = p.z > 0 ? camera.project(p) : SIMD2(repeating: .nan)
            }
            SkeletonDrawing.draw(keypoints: keypoints, into: image, thickness: 2.5 * scale, radius: 3.5 * scale)
        }
    }

    /// The combined mesh of all hands: faces re-indexed per hand; rebuilt only when the hands' sides change.
    private func prepareMeshes(for hands: [Hand]) {
        let sides = hands.map(\.side)
        let total = hands.reduce(0) { $0 + model($1.side).vertexCount }
        if vertices.count != total { vertices = [SIMD3<Float>](repeating: .zero, count: total) }
        if sides == facesSides { return }
        facesSides = sides
        faces.removeAll(keepingCapacity: true)
        var base: Int32 = 0
        for side in sides {
            let m = model(side)
            faces += m.faces.map { $0 &+ SIMD3(repeating: base) }
            base += Int32(m.vertexCount)
        }
    }

    /// A PNG of the frame with `hands` drawn: the daemon's snapshot.
    public func snapshotPNG(_ frame: PixelBuffer, hands: [Hand]) throws -> [UInt8] {
        try PNGEncoder.encode(render(frame, hands: hands))
    }
}

/// Writes an overlay video: every frame with its hands drawn, encoded by libavcodec (H.264 through libx264
/// when this FFmpeg has it, MPEG-4 otherwise; see `VideoWriter`).
public final class OverlayWriter {
    public let renderer: OverlayRenderer
    private let writer: VideoWriter
    public var codecName: String { writer.codecName }
    public var framesWritten: Int { writer.framesWritten }

    public init(path: String, width: Int, height: Int, fps: Double, camera: RenderCamera,
                right: HandModel = .builtIn(side: .right), left: HandModel = .builtIn(side: .left)) throws {
        writer = try VideoWriter(path: path, width: width, height: height, fps: fps)
        renderer = OverlayRenderer(width: width, height: height, camera: camera, right: right, left: left)
    }

    /// Draws `hands` over `frame` and encodes the result.
    public func write(_ frame: PixelBuffer, hands: [OverlayRenderer.Hand]) throws {
        try writer.write(renderer.render(frame, hands: hands))
    }

    public func finish() throws { try writer.finish() }
}
