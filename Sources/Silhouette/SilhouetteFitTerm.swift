import Fitting
import HandModel
import Render

/// The refinement's silhouette term: the hand mesh's soft outline silhouette against a mask
/// (`SilhouetteTerm`), as a `FitTerm` that joins the keypoint, world, prior and temporal terms in
/// every Levenberg–Marquardt iteration. Baek et al. (CVPR 2019) refine with a mask term beside the
/// 2D keypoints; Mask2Hand (Chang et al.) fits to the silhouette alone.
///
/// Per frame: `setTarget` (the mask and the square it is compared over), then the fitter calls
/// `cost` and `accumulate`. One per fitter; it owns workspaces and is used from one thread.
public final class SilhouetteFitTerm: FitTerm {
    public let model: HandModel
    public var camera: RenderCamera {
        didSet { if camera != oldValue { renderedAt[0] = .nan } }
    }
    /// Mask coverage per grid cell per unit residual: an outline a cell off along its whole
    /// length costs about as much as the keypoints a few pixels off.
    public var cellSigma: Double {
        didSet { weight = 1 / (cellSigma * cellSigma) }
    }
    public private(set) var term: SilhouetteTerm
    private var weight: Double
    private let workspace: HandModelWorkspace
    private var parameters = HandParameters()
    private var vertices: [SIMD3<Double>]
    private var vertexJacobian: [Double]
    /// The parameters `term` was last rendered at: Levenberg–Marquardt linearizes where it just
    /// evaluated an accepted step, and rendering is most of the cost.
    private var renderedAt = [Double](repeating: .nan, count: 61)

    /// - Parameters:
    ///   - gridSize: cells per side of the square the mask is compared over (`SilhouetteTerm`).
    ///   - cellSigma: see the property.
    public init(model: HandModel, camera: RenderCamera, gridSize: Int = 48, cellSigma: Double = 0.5) {
        self.model = model
        self.camera = camera
        self.cellSigma = cellSigma
        weight = 1 / (cellSigma * cellSigma)
        term = SilhouetteTerm(gridSize: gridSize)
        workspace = HandModelWorkspace(model: model)
        vertices = [SIMD3<Double>](repeating: .zero, count: model.vertexCount)
        vertexJacobian = [Double](repeating: 0, count: 3 * model.vertexCount * 61)
    }

    /// Compares the mesh with `mask` over the square around `region` (pixels, min and max corners;
    /// pick it to hold both the hand in the mask and the mesh at the start).
    public func setTarget(mask: MaskView, region lo: SIMD2<Float>, _ hi: SIMD2<Float>) {
        renderedAt[0] = .nan
        term.setTarget(mask: mask, region: lo, hi)
    }

    /// Compares the mesh with `mask` over the square around `keypoints` (pixels), grown so that the
    /// whole hand, palm edges and finger pads included, is inside.
    /// With `region` (the hand's blob in the mask), the square holds that blob too: keypoints that
    /// guess the hand too small or beside it would otherwise leave part of the mask outside the grid,
    /// where it cannot pull.
    public func setTarget(mask: MaskView, around keypoints: [SIMD2<Double>], including region: MaskRegion? = nil) {
        var lo = keypoints[0], hi = lo
        for p in keypoints { lo = pointwiseMin(lo, p); hi = pointwiseMax(hi, p) }
        let grow = 0.2 * max(hi.x - lo.x, hi.y - lo.y)
        lo -= grow
        hi += grow
        if let region {
            lo = pointwiseMin(lo, region.lo)
            hi = pointwiseMax(hi, region.hi)
        }
        setTarget(mask: mask, region: SIMD2<Float>(lo), SIMD2<Float>(hi))
    }

    /// Grid IoU of the mesh at `x` with the target (for reports; `SilhouetteTerm.gridIoU`).
    public func gridIoU(at x: UnsafeBufferPointer<Double>) -> Float {
        evaluate(x)
        return term.gridIoU
    }

    /// SoftRas's σ per cold pass, in squared grid cells: a wide band first, so that an outline
    /// several cells off still feels the mask, then the sharp one warm frames use.
    public var coldSigmas: [Float] = [4, 0.6]

    public var coldPasses: Int { coldSigmas.count }

    public func prepare(pass: Int) {
        term.sigma = coldSigmas[pass]
        renderedAt[0] = .nan
    }

    public func cost(at x: UnsafeBufferPointer<Double>) -> Double {
        evaluate(x)
        return 0.5 * weight * Double(term.cost)
    }

    public func accumulate(at x: UnsafeBufferPointer<Double>, jtj: UnsafeMutableBufferPointer<Double>,
                           jtr: UnsafeMutableBufferPointer<Double>) -> Double {
        evaluate(x)
        // Only outline vertices move the residuals, so only their Jacobian rows are computed: about
        // a quarter of the mesh.
        let p = parameters, m = model, ws = workspace, cam = camera
        vertices.withUnsafeMutableBufferPointer { v in
            vertexJacobian.withUnsafeMutableBufferPointer { j in
                term.outlineVertices.withUnsafeBufferPointer { rows in
                    m.vertices(p, into: v, jacobian: j, jacobianRows: rows, workspace: ws)
                }
                term.differentiate(vertices: UnsafeBufferPointer(v), camera: cam, vertexJacobian: UnsafeBufferPointer(j))
            }
        }
        term.accumulateNormalEquations(jtj: jtj, jtr: jtr, weight: weight)
        return 0.5 * weight * Double(term.cost)
    }

    /// Poses the mesh at `x` and renders the residuals.
    private func evaluate(_ x: UnsafeBufferPointer<Double>) {
        if (0..<61).allSatisfy({ renderedAt[$0] == x[$0] }) { return }
        for i in 0..<61 { renderedAt[i] = x[i] }
        parameters.globalOrient = SIMD3(x[0], x[1], x[2])
        for i in 0..<45 { parameters.pose[i] = x[3 + i] }
        for i in 0..<10 { parameters.shape[i] = x[48 + i] }
        parameters.transl = SIMD3(x[58], x[59], x[60])
        let p = parameters, m = model, ws = workspace, cam = camera
        vertices.withUnsafeMutableBufferPointer { v in
            m.vertices(p, into: v, jacobian: nil, workspace: ws)
            term.evaluate(vertices: UnsafeBufferPointer(v), faces: m.faces, camera: cam)
        }
    }
}
