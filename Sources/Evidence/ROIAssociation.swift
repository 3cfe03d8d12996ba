import Crop

/// A hand ROI with the track it belongs to, if any (new palm detections have none yet).
public struct TrackedROI: Sendable, Equatable {
    public var roi: HandROI
    public var track: Int?
    /// Whether the ROI came from this frame's palm detector.
    public var fromDetection: Bool

    public init(roi: HandROI, track: Int?, fromDetection: Bool) {
        self.roi = roi
        self.track = track
        self.fromDetection = fromDetection
    }
}

/// Merges this frame's palm ROIs with the ROIs carried over from the previous frame's landmarks:
/// MediaPipe's `AssociationNormRectCalculator` with min_similarity_threshold 0.5
/// (hand_landmark_tracking_cpu.pbtxt; association_calculator.h).
///
/// Elements are added in order, palms first, then tracked ROIs. Each new element removes every
/// element already kept whose axis-aligned box overlaps it with IoU above the threshold, so a
/// tracked hand wins over a palm detection of the same hand (the hand is not duplicated), and of two
/// overlapping tracks the later one survives. Track numbers: a survivor keeps its own; one without
/// a number takes that of a tracked element it removed.
public enum ROIAssociation {
    public static let minSimilarity: Float = 0.5

    public static func associate(palms: [TrackedROI], tracked: [TrackedROI],
                                 minSimilarity: Float = minSimilarity, into result: inout [TrackedROI]) {
        result.removeAll(keepingCapacity: true)
        for element in palms { add(element, to: &result, minSimilarity: minSimilarity) }
        for element in tracked { add(element, to: &result, minSimilarity: minSimilarity) }
    }

    static func add(_ element: TrackedROI, to list: inout [TrackedROI], minSimilarity: Float) {
        var element = element
        var inherited: Int?
        var i = 0
        while i < list.count {
            if element.roi.axisAlignedIoU(list[i].roi) > minSimilarity {
                if let track = list[i].track { inherited = track }
                list.remove(at: i)
            } else {
                i += 1
            }
        }
        if element.track == nil { element.track = inherited }
        list.append(element)
    }
}
