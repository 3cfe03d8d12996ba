import Evidence
import Records

extension HandRecord {
    /// The record of a hand as it leaves the pipeline: the evidence's fields, and the fit's once
    /// fitted (before that, the landmark network's label and score stand).
    public init(_ hand: PipelineHand) {
        let e = hand.evidence, n = HandEvidence.landmarkCount
        let labelled: Records.Handedness = e.handedness == .left ? .left : .right
        self.init(track: e.track, handedness: hand.fit?.handedness ?? labelled,
                  handednessScore: hand.fit?.handednessScore ?? e.handednessScore, score: e.presence)
        landmarks = (0..<n).flatMap { [e.landmarks[$0].x, e.landmarks[$0].y] }
        worldLandmarks = (0..<n).flatMap { [e.worldLandmarks[$0].x, e.worldLandmarks[$0].y, e.worldLandmarks[$0].z] }
        roi = Records.HandROI(cx: e.roi.centerX, cy: e.roi.centerY, size: e.roi.size, rotation: e.roi.rotation)
        guard let f = hand.fit else { return }
        globalOrient = [f.globalOrient.x, f.globalOrient.y, f.globalOrient.z]
        pose = (0..<45).map { f.pose[$0] }
        shape = (0..<10).map { f.shape[$0] }
        boneFactors = (0..<20).map { f.boneFactors[$0] }
        transl = [f.transl.x, f.transl.y, f.transl.z]
        joints3d = (0..<n).flatMap { [f.joints3d[$0].x, f.joints3d[$0].y, f.joints3d[$0].z] }
        joints2d = (0..<n).flatMap { [f.joints2d[$0].x, f.joints2d[$0].y] }
        vertices = f.vertices
        fit = f.summary
    }
}
