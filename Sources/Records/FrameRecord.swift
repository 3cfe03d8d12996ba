/// Exactly one per frame that went through the pipeline.
public struct FrameRecord: Sendable {
    public var stream: String
    /// The frame's position in the input, from 0; gaps are accounted for by `dropped` records.
    public var index: Int
    /// Presentation time in the input, seconds.
    public var pts: Double
    /// Wall-clock time the frame was captured (live) or decoded (files), seconds since the Unix epoch.
    public var captureTime: Double
    public var width: Int
    public var height: Int
    /// The photo this frame is, for still-image inputs (single images, folders, manifests); nil for video.
    public var image: FrameImage?
    public var hands: [HandRecord]
    /// Stage names in pipeline order, matching `stageMilliseconds` one for one.
    public var stageNames: [String]
    public var stageMilliseconds: StageTimes

    public init(stream: String, index: Int, pts: Double, captureTime: Double, width: Int, height: Int,
                image: FrameImage? = nil, hands: [HandRecord] = [], stageNames: [String] = [],
                stageMilliseconds: StageTimes = StageTimes()) {
        self.stream = stream
        self.index = index
        self.pts = pts
        self.captureTime = captureTime
        self.width = width
        self.height = height
        self.image = image
        self.hands = hands
        self.stageNames = stageNames
        self.stageMilliseconds = stageMilliseconds
    }

    public func encode(into json: inout JSONWriter) {
        json.recordPrologue(.frame, stream: stream)
        json.key("index"); json.int(index)
        json.key("pts"); json.number(pts, decimals: 6)
        json.key("capture_time"); json.number(captureTime, decimals: 6)
        json.key("width"); json.int(width)
        json.key("height"); json.int(height)
        if let image {
            json.key("image")
            image.encode(into: &json)
        }
        json.key("hands")
        json.beginArray()
        for hand in hands {
            hand.encode(into: &json)
        }
        json.endArray()
        json.key("stage_ms")
        json.beginObject()
        for (i, name) in stageNames.enumerated() where i < stageMilliseconds.count {
            json.key(name); json.number(stageMilliseconds[i], decimals: 3)
        }
        json.endObject()
        json.endObject()
    }
}
