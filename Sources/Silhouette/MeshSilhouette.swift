import HandModel
import Render

/// A posed hand's binary silhouette at full frame resolution: the mesh-to-mask IoU the issue
/// measures, and masks for tests and benchmarks. Buffers are made once per frame size.
public struct MeshSilhouette {
    public private(set) var rasterizer: Rasterizer
    private var screen: [SIMD3<Float>] = []
    private var vertices: [SIMD3<Double>] = []

    public init(width: Int, height: Int) {
        rasterizer = Rasterizer(width: width, height: height)
    }

    public var width: Int { rasterizer.width }
    public var height: Int { rasterizer.height }

    /// Draws `model` at `parameters` as seen by `camera`, replacing what was drawn before.
    public mutating func draw(model: HandModel, parameters: HandParameters, camera: RenderCamera,
                              workspace: HandModelWorkspace) {
        if vertices.count != model.vertexCount {
            vertices = [SIMD3<Double>](repeating: .zero, count: model.vertexCount)
            screen = [SIMD3<Float>](repeating: .zero, count: model.vertexCount)
        }
        vertices.withUnsafeMutableBufferPointer { model.vertices(parameters, into: $0, jacobian: nil, workspace: workspace) }
        for i in vertices.indices {
            let p = SIMD3<Float>(vertices[i])
            // Points behind the camera keep z ≤ 0, which the rasterizer skips (as `projectToScreen`).
            screen[i] = SIMD3(p.z > 0 ? camera.project(p) : .zero, p.z)
        }
        rasterizer.clear()
        rasterizer.draw(screen: screen, faces: model.faces)
    }

    /// Intersection over union of the drawn silhouette with `mask` (same size).
    public func intersectionOverUnion(_ mask: MaskView) -> Double {
        precondition(mask.width == width && mask.height == height,
                     "MeshSilhouette: mask is \(mask.width)x\(mask.height), silhouette \(width)x\(height)")
        var inter = 0, union = 0
        rasterizer.faceID.withUnsafeBufferPointer { fid in
            for y in 0..<height {
                for x in 0..<width {
                    let a = fid[y * width + x] >= 0, m = mask.isHand(x: x, y: y)
                    if a && m { inter += 1 }
                    if a || m { union += 1 }
                }
            }
        }
        return union > 0 ? Double(inter) / Double(union) : 1
    }

    /// The silhouette as a mask: 255 on the hand, 0 elsewhere, `width * height` bytes.
    public func mask(into out: inout [UInt8]) { rasterizer.silhouette(into: &out) }
}
