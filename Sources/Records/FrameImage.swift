/// The photo a frame of a still-image input came from, as its frame record names it.
public struct FrameImage: Sendable, Equatable {
    /// The file as given, or as resolved against the manifest's folder.
    public var path: String
    /// The manifest's id for the photo; nil when it gives none.
    public var id: String?
    /// The camera the photo was fitted with, in pixels of the frame as processed: the manifest's for
    /// it (scaled when the photo was downscaled), else the config's, else the assumed one.
    public var camera: CameraDescription?

    public init(path: String, id: String? = nil, camera: CameraDescription? = nil) {
        self.path = path
        self.id = id
        self.camera = camera
    }

    func encode(into json: inout JSONWriter) {
        json.beginObject()
        json.key("path"); json.string(path)
        json.key("id")
        if let id { json.string(id) } else { json.null() }
        json.key("camera")
        if let camera { camera.encode(into: &json) } else { json.null() }
        json.endObject()
    }
}
