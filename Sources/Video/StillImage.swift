/// Which photo a frame of a still-image input (a single image, a folder, a manifest) was decoded from.
public struct StillImage: Sendable, Equatable {
    /// The file as given, or as resolved against the manifest's folder.
    public var path: String
    /// The manifest's `id` for the photo; nil when it gives none (and for folders and single images).
    public var id: String?
    /// The photo's own camera, in pixels of the frame as delivered (scaled with it when the photo was
    /// downscaled); nil when the manifest gives none.
    public var camera: Intrinsics?

    public init(path: String, id: String? = nil, camera: Intrinsics? = nil) {
        self.path = path
        self.id = id
        self.camera = camera
    }
}
