import HandModel
import Render

extension OverlayRenderer.Hand {
    /// A fitted hand, for drawing; nil before it is fitted.
    init?(_ hand: PipelineHand) {
        guard let f = hand.fit else { return nil }
        let parameters = HandParameters(globalOrient: SIMD3<Double>(f.globalOrient),
                                        pose: (0..<45).map { Double(f.pose[$0]) }, shape: (0..<10).map { Double(f.shape[$0]) },
                                        transl: SIMD3<Double>(f.transl))
        self.init(parameters: parameters, side: f.handedness == .left ? .left : .right,
                  keypoints2D: (0..<21).map { f.joints2d[$0] })
    }
}
