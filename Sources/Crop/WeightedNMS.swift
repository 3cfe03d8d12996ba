/// Weighted non-maximum suppression: MediaPipe's `NonMaxSuppressionCalculator` with
/// `algorithm: WEIGHTED`, `overlap_type: INTERSECTION_OVER_UNION` and
/// `min_suppression_threshold: 0.3` (mediapipe/modules/palm_detection/palm_detection_cpu.pbtxt).
///
/// Take the best-scoring remaining detection; every remaining detection overlapping it by more than
/// the threshold (itself included) joins its cluster; the output keeps the best score and the
/// score-weighted mean of the cluster's boxes and keypoints. Output is ordered by score.
/// Scratch space is kept between calls, so a warmed-up instance allocates nothing.
public struct WeightedNMS: Sendable {
    public var threshold: Float
    private var order: [Int] = []
    private var remaining: [Int] = []

    public init(threshold: Float = 0.3) {
        self.threshold = threshold
        order.reserveCapacity(2016)
        remaining.reserveCapacity(2016)
    }

    public mutating func run(_ detections: [PalmDetection], into output: inout [PalmDetection]) {
        output.removeAll(keepingCapacity: true)
        order.removeAll(keepingCapacity: true)
        // Insertion sort by descending score: a few dozen candidates at most, and Array.sort may
        // allocate scratch space.
        for i in detections.indices {
            var j = order.count
            order.append(i)
            while j > 0 && detections[order[j - 1]].score < detections[i].score {
                order[j] = order[j - 1]
                j -= 1
            }
            order[j] = i
        }
        while let first = order.first {
            let best = detections[first]
            remaining.removeAll(keepingCapacity: true)
            var total: Float = 0
            var xmin: Float = 0, ymin: Float = 0, xmax: Float = 0, ymax: Float = 0
            var keypoints = SIMD16<Float>.zero
            for index in order {
                let d = detections[index]
                if d.iou(best) > threshold {
                    total += d.score
                    xmin += d.xmin * d.score
                    ymin += d.ymin * d.score
                    xmax += d.xmax * d.score
                    ymax += d.ymax * d.score
                    keypoints += d.keypointStorage * d.score
                } else {
                    remaining.append(index)
                }
            }
            var merged = best
            if total > 0 {
                merged.xmin = xmin / total
                merged.ymin = ymin / total
                merged.width = xmax / total - merged.xmin
                merged.height = ymax / total - merged.ymin
                merged.keypointStorage = keypoints / total
            }
            output.append(merged)
            // A cluster that absorbed nothing (NaN boxes) would loop forever; MediaPipe stops there too.
            if remaining.count == order.count { break }
            swap(&order, &remaining)
        }
    }
}
