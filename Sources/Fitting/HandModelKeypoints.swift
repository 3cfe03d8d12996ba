import HandModel

/// The hand model's keypoints as the refinement's forward function. Holds the model's workspace
/// and a reusable parameter value (updated in place, so evaluating allocates nothing); one per
/// fitter, never shared between threads.
public struct HandModelKeypoints: KeypointFunction {
    public let model: HandModel
    let workspace: HandModelWorkspace
    var parameters = HandParameters()
    var points = [SIMD3<Double>](repeating: .zero, count: 21)

    public init(model: HandModel) {
        self.model = model
        workspace = HandModelWorkspace(model: model)
    }

    public mutating func evaluate(_ x: UnsafeBufferPointer<Double>, keypoints: UnsafeMutableBufferPointer<Double>,
                                  jacobian: UnsafeMutableBufferPointer<Double>?) {
        parameters.globalOrient = SIMD3(x[0], x[1], x[2])
        for i in 0..<45 { parameters.pose[i] = x[3 + i] }
        for i in 0..<10 { parameters.shape[i] = x[48 + i] }
        parameters.transl = SIMD3(x[58], x[59], x[60])
        let p = parameters, m = model, ws = workspace
        points.withUnsafeMutableBufferPointer { out in
            m.keypoints(p, into: out, jacobian: jacobian, workspace: ws)
            for j in 0..<21 {
                keypoints[3 * j] = out[j].x
                keypoints[3 * j + 1] = out[j].y
                keypoints[3 * j + 2] = out[j].z
            }
        }
    }
}
