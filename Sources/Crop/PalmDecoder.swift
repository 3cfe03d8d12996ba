import Foundation

/// Raw palm-model tensors to scored detections: MediaPipe's `TensorsToDetectionsCalculator` with the
/// options of mediapipe/modules/palm_detection/palm_detection_cpu.pbtxt.
///
/// Input: the regressor output [2016, 18] (box x, y, w, h then 7 keypoints x, y, in input pixels
/// relative to the anchor; `reverse_output_order: true` means x before y) and the score logits
/// [2016, 1]. Output: detections with score ≥ `minScore`, box and keypoints normalized to the input
/// tensor, in anchor order. Refills a caller-owned array, so it allocates nothing once that array
/// has capacity.
public struct PalmDecoder: Sendable {
    /// num_coords 18: 4 box values + 7 keypoints x 2 (palm_detection_cpu.pbtxt).
    public static let coordsPerAnchor = 18
    /// x_scale = y_scale = w_scale = h_scale = 192 (palm_detection_cpu.pbtxt).
    public var scale: Float = 192
    /// score_clipping_thresh 100 (palm_detection_cpu.pbtxt): logits are clipped before the sigmoid.
    public var scoreClip: Float = 100
    /// min_score_thresh 0.5 (palm_detection_cpu.pbtxt; the legacy solution's min_detection_confidence).
    public var minScore: Float
    public let anchors: [Anchor]

    public init(anchors: [Anchor] = SSDAnchors.generate(.palmDetection), minScore: Float = 0.5) {
        self.anchors = anchors
        self.minScore = minScore
    }

    public func decode(boxes: UnsafeBufferPointer<Float>, logits: UnsafeBufferPointer<Float>,
                       into detections: inout [PalmDetection]) {
        detections.removeAll(keepingCapacity: true)
        let count = min(anchors.count, logits.count, boxes.count / Self.coordsPerAnchor)
        for i in 0..<count {
            let logit = min(max(logits[i], -scoreClip), scoreClip)
            let score = 1 / (1 + exp(-logit))
            if score < minScore { continue }
            let a = anchors[i]
            let o = i * Self.coordsPerAnchor
            let xc = boxes[o] / scale * a.width + a.xCenter
            let yc = boxes[o + 1] / scale * a.height + a.yCenter
            let w = boxes[o + 2] / scale * a.width
            let h = boxes[o + 3] / scale * a.height
            // Negative or NaN sizes come from a confused regressor; MediaPipe drops them (b/171391719).
            if !(w >= 0) || !(h >= 0) { continue }
            var d = PalmDetection(score: score, xmin: xc - w / 2, ymin: yc - h / 2, width: w, height: h)
            for k in 0..<PalmDetection.keypointCount {
                d.setKeypoint(k, SIMD2(boxes[o + 4 + 2 * k] / scale * a.width + a.xCenter,
                                       boxes[o + 5 + 2 * k] / scale * a.height + a.yCenter))
            }
            detections.append(d)
        }
    }
}
