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
    public mutating func draw(model: HandModel, parameters: HandParameters, boneFactors: [Double]? = nil, camera: RenderCamera,
                              workspace: HandModelWorkspace) {
        if vertices.count != model.vertexCount { vertices = [SIMD3<Double>](repeating: .zero, count: model.vertexCount) }
        vertices.withUnsafeMutableBufferPointer { out in
            if let boneFactors {
                boneFactors.withUnsafeBufferPointer { model.vertices(parameters, boneFactors: $0, into: out, workspace: workspace) }
            } else {
                model.vertices(parameters, into: out, jacobian: nil, workspace: workspace)
            }
        }
        vertices.withUnsafeBufferPointer { camera.projectToScreen($0, into: &screen) }
        rasterizer.clear()
        rasterizer.draw(screen: screen, faces: model.faces)
    }

    /// Intersection over union of the drawn silhouette with `mask` (same size).
    public func intersectionOverUnion(_ mask: MaskView) -> Double { rasterizer.intersectionOverUnion(mask: mask) }

    /// Pixel counts of the drawn silhouette against `mask` (same size), over the whole frame.
    public func overlap(_ mask: MaskView) -> MaskOverlap { rasterizer.overlap(mask: mask) }

    /// The silhouette as a mask: 255 on the hand, 0 elsewhere, `width * height` bytes.
    public func mask(into out: inout [UInt8]) { rasterizer.silhouette(into: &out) }
}
