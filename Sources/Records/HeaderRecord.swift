/// The first record of a stream: what produced the records that follow and how to read them.
/// A client that joins a socket late receives the header of every stream still running first.
public struct HeaderRecord: Sendable {
    public var stream: String
    public var schemaVersion: String = RecordSchema.version
    public var generator: String = "handmesh"
    public var input: InputDescription
    /// Every model the estimator stages loaded, in stage order; empty until they exist.
    public var models: [ModelDescription]
    /// Stage names in pipeline order, as they appear in each frame's `stage_ms`.
    public var stages: [String]
    /// The camera the fit assumed: the config's, or (without one) the default field of view for the
    /// input's size. nil only where neither is known (a source of unknown size).
    public var camera: CameraDescription?
    /// Where `camera` comes from: `config`, `assumed` (60° across the longer side), or `per_image`
    /// (photos: each manifest line's camera, else 60° across that photo's longer side).
    public var cameraSource: CameraSource
    /// Whether frames are a mirrored (selfie) view, which swaps what looks left and right.
    public var mirrored: Bool
    public var maxHands: Int
    /// Whether frames are processed as independent photos (no tracking, warm start or smoothing across them).
    public var stillImages: Bool
    /// How the fits are smoothed over time: "two-pass" (each from frames before and after it),
    /// "causal" (from frames before it) or "off".
    public var smoothing: String?
    public var time: Double

    public init(stream: String, input: InputDescription, models: [ModelDescription] = [], stages: [String] = [],
                camera: CameraDescription? = nil, cameraSource: CameraSource = .config, mirrored: Bool = false,
                maxHands: Int = 2, stillImages: Bool = false, smoothing: String? = nil, time: Double) {
        self.stream = stream
        self.input = input
        self.models = models
        self.stages = stages
        self.camera = camera
        self.cameraSource = cameraSource
        self.mirrored = mirrored
        self.maxHands = maxHands
        self.stillImages = stillImages
        self.smoothing = smoothing
        self.time = time
    }

    public func encode(into json: inout JSONWriter) {
        json.recordPrologue(.header, stream: stream)
        json.key("schema_version"); json.string(schemaVersion)
        json.key("generator"); json.string(generator)
        json.key("input")
        input.encode(into: &json)
        json.key("models")
        json.beginArray()
        for model in models {
            model.encode(into: &json)
        }
        json.endArray()
        json.key("stages"); json.strings(stages)
        json.key("joints"); json.strings(HandJoint.names)
        json.key("units")
        json.beginObject()
        json.key("pts"); json.string("s")
        json.key("capture_time"); json.string("s since 1970-01-01T00:00:00Z")
        json.key("stage_ms"); json.string("ms")
        json.key("landmarks"); json.string("px")
        json.key("world_landmarks"); json.string("m")
        json.key("joints2d"); json.string("px")
        json.key("joints3d"); json.string("m")
        json.key("vertices"); json.string("m")
        json.key("transl"); json.string("m")
        json.key("angles"); json.string("rad, axis-angle")
        json.endObject()
        json.key("camera")
        if let camera {
            camera.encode(into: &json)
        } else {
            json.null()
        }
        json.key("camera_source"); json.string(cameraSource.rawValue)
        json.key("mirrored"); json.bool(mirrored)
        json.key("max_hands"); json.int(maxHands)
        json.key("still_images"); json.bool(stillImages)
        if let smoothing { json.key("smoothing"); json.string(smoothing) }
        json.key("time"); json.number(time, decimals: 6)
        json.endObject()
    }
}

/// Where a header's camera comes from.
public enum CameraSource: String, Sendable {
    case config
    case assumed
    case perImage = "per_image"
}

public struct InputDescription: Sendable {
    /// The input as given (path, URL, device, `lavfi:…`, `-`).
    public var description: String
    /// file, image_sequence, url, camera, stdin, lavfi, image, folder or manifest.
    public var kind: String
    public var live: Bool
    /// Codec, size and pixel format as FFmpeg found them.
    public var format: String
    /// Size of the frames as the pipeline sees them, after any downscaling.
    public var width: Int
    public var height: Int
    public var frameRate: Double?
    /// How many photos a still-image input holds; nil for video.
    public var images: Int?

    public init(description: String, kind: String, live: Bool, format: String, width: Int, height: Int,
                frameRate: Double?, images: Int? = nil) {
        self.description = description
        self.kind = kind
        self.live = live
        self.format = format
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.images = images
    }

    func encode(into json: inout JSONWriter) {
        json.beginObject()
        json.key("description"); json.string(description)
        json.key("kind"); json.string(kind)
        json.key("live"); json.bool(live)
        json.key("format"); json.string(format)
        json.key("width"); json.int(width)
        json.key("height"); json.int(height)
        json.key("frame_rate")
        if let frameRate, frameRate.isFinite {
            json.number(frameRate, decimals: 3)
        } else {
            json.null()
        }
        if let images {
            json.key("images"); json.int(images)
        }
        json.endObject()
    }
}

public struct ModelDescription: Sendable, Equatable {
    public var name: String
    public var version: String

    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }

    func encode(into json: inout JSONWriter) {
        json.beginObject()
        json.key("name"); json.string(name)
        json.key("version"); json.string(version)
        json.endObject()
    }
}

/// Pinhole intrinsics in pixels of the frames as decoded, and OpenCV's distortion coefficients.
public struct CameraDescription: Sendable, Equatable {
    public var fx: Double
    public var fy: Double
    public var cx: Double
    public var cy: Double
    /// k1, k2, p1, p2, k3.
    public var distortion: [Double]

    public init(fx: Double, fy: Double, cx: Double, cy: Double, distortion: [Double]) {
        self.fx = fx
        self.fy = fy
        self.cx = cx
        self.cy = cy
        self.distortion = distortion
    }

    func encode(into json: inout JSONWriter) {
        json.beginObject()
        json.key("fx"); json.number(fx, decimals: 4)
        json.key("fy"); json.number(fy, decimals: 4)
        json.key("cx"); json.number(cx, decimals: 4)
        json.key("cy"); json.number(cy, decimals: 4)
        json.key("distortion"); json.numbers(distortion, decimals: 8)
        json.endObject()
    }
}
