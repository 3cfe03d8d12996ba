import HandModel
import Records
import Render

extension OverlayRenderer.Hand {
    /// The hand a frame record describes, for drawing; nil before it is fitted.
    init?(_ record: HandRecord) {
        guard let g = record.globalOrient, let p = record.pose, let s = record.shape, let t = record.transl else { return nil }
        let parameters = HandParameters(globalOrient: SIMD3(Double(g[0]), Double(g[1]), Double(g[2])),
                                        pose: p.map(Double.init), shape: s.map(Double.init),
                                        transl: SIMD3(Double(t[0]), Double(t[1]), Double(t[2])))
        let keypoints = record.joints2d.map { j in stride(from: 0, to: j.count - 1, by: 2).map { SIMD2(j[$0], j[$0 + 1]) } }
        self.init(parameters: parameters, side: record.handedness == .left ? .left : .right, keypoints2D: keypoints)
    }
}
