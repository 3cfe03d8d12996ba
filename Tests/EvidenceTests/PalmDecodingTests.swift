import Crop
import XCTest

/// PalmDecoder and WeightedNMS on hand-made tensors whose answers are worked out by hand from
/// TensorsToDetectionsCalculator's and NonMaxSuppressionCalculator's definitions.
final class PalmDecodingTests: XCTestCase {
    func testDecodesBoxesKeypointsAndScores() {
        let anchors = SSDAnchors.generate(.palmDetection)
        var boxes = [Float](repeating: 0, count: 2016 * 18)
        var logits = [Float](repeating: -10, count: 2016)
        // Anchor 1158 sits at (1.5/12, 0.5/12).
        let i = 1158
        logits[i] = 2
        boxes[i * 18 + 0] = 19.2    // x offset: +0.1
        boxes[i * 18 + 1] = -9.6    // y offset: -0.05
        boxes[i * 18 + 2] = 48      // width 0.25
        boxes[i * 18 + 3] = 96      // height 0.5
        for k in 0..<7 {
            boxes[i * 18 + 4 + 2 * k] = Float(k) * 1.92
            boxes[i * 18 + 5 + 2 * k] = -Float(k) * 3.84
        }
        logits[7] = 500             // clipped at 100: score 1
        boxes[7 * 18 + 2] = 10
        boxes[7 * 18 + 3] = 10
        logits[8] = 3               // negative width: dropped
        boxes[8 * 18 + 2] = -1
        logits[9] = 0               // score exactly 0.5: kept (>= min_score_thresh)
        logits[10] = -0.01          // just under 0.5: dropped

        let decoder = PalmDecoder(anchors: anchors, minScore: 0.5)
        var out: [PalmDetection] = []
        boxes.withUnsafeBufferPointer { b in logits.withUnsafeBufferPointer { l in decoder.decode(boxes: b, logits: l, into: &out) } }
        XCTAssertEqual(out.count, 3)
        XCTAssertEqual(out[0].score, 1, accuracy: 1e-6)
        XCTAssertEqual(out[1].score, 0.5, accuracy: 1e-6)
        let d = out[2]
        XCTAssertEqual(d.score, 1 / (1 + exp(-2)), accuracy: 1e-6)
        let xc: Float = 1.5 / 12 + 0.1, yc: Float = 0.5 / 12 - 0.05
        XCTAssertEqual(d.xmin, xc - 0.125, accuracy: 1e-6)
        XCTAssertEqual(d.ymin, yc - 0.25, accuracy: 1e-6)
        XCTAssertEqual(d.width, 0.25, accuracy: 1e-6)
        XCTAssertEqual(d.height, 0.5, accuracy: 1e-6)
        for k in 0..<7 {
            XCTAssertEqual(d.keypoint(k).x, 1.5 / 12 + Float(k) * 0.01, accuracy: 1e-6)
            XCTAssertEqual(d.keypoint(k).y, 0.5 / 12 - Float(k) * 0.02, accuracy: 1e-6)
        }
    }

    func testWeightedNMSMergesOverlapsByScore() {
        func box(_ score: Float, _ x0: Float, _ y0: Float, _ x1: Float, _ y1: Float, kp: Float) -> PalmDetection {
            PalmDetection(score: score, xmin: x0, ymin: y0, width: x1 - x0, height: y1 - y0,
                          keypointStorage: SIMD16(repeating: kp))
        }
        let a = box(0.9, 0.10, 0.10, 0.30, 0.30, kp: 1)
        let b = box(0.6, 0.12, 0.10, 0.32, 0.30, kp: 2)   // IoU with a: 0.18*0.2 / (0.04+0.04-0.036) = 0.818
        let c = box(0.8, 0.60, 0.60, 0.80, 0.80, kp: 3)   // apart
        let d = box(0.7, 0.10, 0.20, 0.30, 0.40, kp: 4)   // IoU with a: 0.02 / 0.06 = 0.333 > 0.3
        let e = box(0.65, 0.10, 0.22, 0.30, 0.42, kp: 5)  // IoU with a: 0.016 / 0.064 = 0.25: its own cluster
        var nms = WeightedNMS(threshold: 0.3)
        var out: [PalmDetection] = []
        nms.run([b, c, a, d, e], into: &out)
        XCTAssertEqual(out.count, 3)
        // Cluster {a, d, b}: best score kept, score-weighted box and keypoints.
        let total: Float = 0.9 + 0.7 + 0.6
        XCTAssertEqual(out[0].score, 0.9)
        XCTAssertEqual(out[0].xmin, (0.10 * 0.9 + 0.10 * 0.7 + 0.12 * 0.6) / total, accuracy: 1e-6)
        XCTAssertEqual(out[0].ymin, (0.10 * 0.9 + 0.20 * 0.7 + 0.10 * 0.6) / total, accuracy: 1e-6)
        XCTAssertEqual(out[0].xmax, (0.30 * 0.9 + 0.30 * 0.7 + 0.32 * 0.6) / total, accuracy: 1e-6)
        XCTAssertEqual(out[0].ymax, (0.30 * 0.9 + 0.40 * 0.7 + 0.30 * 0.6) / total, accuracy: 1e-6)
        XCTAssertEqual(out[0].keypoint(3).x, (1 * 0.9 + 4 * 0.7 + 2 * 0.6) / total, accuracy: 1e-6)
        assertClose(out[1], c)
        assertClose(out[2], e)
    }

    func assertClose(_ a: PalmDetection, _ b: PalmDetection, line: UInt = #line) {
        XCTAssertEqual(a.score, b.score, line: line)
        for (x, y) in [(a.xmin, b.xmin), (a.ymin, b.ymin), (a.width, b.width), (a.height, b.height)] {
            XCTAssertEqual(x, y, accuracy: 1e-6, line: line)
        }
        for k in 0..<7 {
            XCTAssertEqual(a.keypoint(k).x, b.keypoint(k).x, accuracy: 1e-6, line: line)
            XCTAssertEqual(a.keypoint(k).y, b.keypoint(k).y, accuracy: 1e-6, line: line)
        }
    }

    func testLetterboxOfWideFrame() {
        // 1280x720 into 192x192: 280 px of black above and below the 1280-wide square.
        let lb = Letterbox(frameWidth: 1280, frameHeight: 720, tensorWidth: 192, tensorHeight: 192)
        XCTAssertEqual(lb.left, 0)
        XCTAssertEqual(lb.top, (1 - 720.0 / 1280) / 2, accuracy: 1e-6)
        XCTAssertEqual(lb.roi, HandROI(centerX: 640, centerY: 360, width: 1280, height: 1280, rotation: 0))
        // The tensor's centre line stays the frame's; its top padding edge is the frame's top.
        var d = PalmDetection(score: 1, xmin: 0.5, ymin: lb.top, width: 0.1, height: 0.1)
        d.setKeypoint(0, SIMD2(0.25, 0.5))
        let r = lb.removing(from: d)
        XCTAssertEqual(r.ymin, 0, accuracy: 1e-6)
        XCTAssertEqual(r.xmin, 0.5, accuracy: 1e-6)
        XCTAssertEqual(r.height, 0.1 * 1280 / 720, accuracy: 1e-5)
        XCTAssertEqual(r.keypoint(0).y, 0.5, accuracy: 1e-6)
    }
}
