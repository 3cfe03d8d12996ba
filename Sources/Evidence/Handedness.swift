/// Which hand a landmark crop shows.
public enum Handedness: String, Sendable, Codable, CaseIterable {
    case left
    case right

    /// The landmark model's handedness output is the probability of "Left" under MediaPipe's
    /// selfie assumption: mediapipe/modules/hand_landmark/hand_landmark_cpu.pbtxt runs it through
    /// `TensorsToClassificationCalculator` with `binary_classification` and the label map
    /// handedness.txt ("Left", "Right"): class 0 = Left with score p, class 1 = Right with 1 - p,
    /// top 1 kept. A mirrored (front-camera) image shows a right hand as a left one, so for a source
    /// that is not mirrored the labels swap.
    public static func classify(leftProbability p: Float, mirrored: Bool) -> (hand: Handedness, score: Float) {
        let selfieLeft = p >= 1 - p
        let hand: Handedness = selfieLeft == mirrored ? .left : .right
        return (hand, selfieLeft ? p : 1 - p)
    }
}
