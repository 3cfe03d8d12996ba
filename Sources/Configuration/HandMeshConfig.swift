/// The whole config file, validated. See Config/handmesh.example.toml for every option.
public struct HandMeshConfig: Sendable, Equatable {
    /// trace, debug, info, notice, warning, error or critical.
    public var logLevel: String = "info"
    /// Where Prometheus scrapes `/metrics`: `unix:PATH` or a loopback `HOST:PORT`; nil (the
    /// default) serves no metrics.
    public var metrics: String?
    /// Settings every stream starts from (`[defaults]`); a stream's own keys override them.
    public var defaults = StreamSettings()
    public var streams: [StreamConfig] = []

    public init() {}
}

/// One input with its own pipeline and outputs (`[[streams]]`).
public struct StreamConfig: Sendable, Equatable {
    public var name: String
    /// What FFmpeg opens: a path, an image pattern, a URL, /dev/videoN, `-` or `lavfi:GRAPH`.
    public var input: String
    /// `ndjson:-`, `ndjson:PATH`, `unix:PATH` or `mqtt://HOST[:PORT]/TOPIC` (`mqtts://`).
    public var outputs: [String]
    public var settings: StreamSettings

    public init(name: String, input: String, outputs: [String], settings: StreamSettings) {
        self.name = name
        self.input = input
        self.outputs = outputs
        self.settings = settings
    }
}

/// Everything about a stream other than where it comes from and goes to.
public struct StreamSettings: Sendable, Equatable {
    /// Frames with a longer side are downscaled to this many pixels.
    public var maxDimension = 1920
    /// Pace a file at its frame rate, as if it were live (drops frames when busy).
    public var realtime = false
    public var reconnect = ReconnectSettings()
    /// Seconds without data before a live input counts as lost.
    public var readTimeout = 10.0
    /// Whether the input is live or a finite file; nil lets the source decide (see SourceOptions.live).
    public var live: Bool?
    /// Intrinsics of the frames as decoded; nil means the estimators assume a default camera.
    public var camera: CameraSettings?
    /// Frames are a mirror image of the scene (a selfie preview that flips them). It names the hands
    /// only: the fitted mesh is the same either way. Cameras, v4l2 and recorded files deliver the
    /// camera's own view (false).
    public var mirrored = false
    public var maxHands = 2
    public var model = ModelChoice.builtin
    /// Where fetched models live; nil means the default (env HANDMESH_MODELS, else
    /// $XDG_DATA_HOME/handmesh/models, else ~/.local/share/handmesh/models), where `models fetch` puts them.
    public var modelsDir: String?
    /// Write mesh vertices in frame records (large).
    public var vertices = false
    /// Arithmetic of the landmark network, which runs on every tracked frame: int8 (the default;
    /// about half the time on CPUs with AVX-512 VNNI, and fp32 on CPUs without) or float32 (LiteRT's).
    public var precision = EvidencePrecision.int8
    /// A mask video (white hand on black) paired frame by frame with the input: the refinement adds
    /// a silhouette term that pulls the mesh's outline onto it. Set per stream, never in `[defaults]`.
    public var mask: String?
    /// The input itself is a mask video: hands are estimated from the silhouette alone (Mask2Hand).
    public var inputIsMask = false
    /// Where to write a PNG of the latest frame with its hands drawn when asked (SIGUSR1). Set per
    /// stream, never in `[defaults]`.
    public var snapshot: String?
    /// Which hand a mask shows; a silhouette cannot tell.
    public var maskHand = MaskHand.right
    /// What to do with a forearm in a mask-only stream's masks (`MaskForearm`).
    public var maskForearm = MaskForearm.auto
    /// Process frames as independent photos (palm detection on each, no warm start, temporal term,
    /// smoothing or shape carried between them): true or false overrides; nil (the default) decides by the
    /// input, true for a single image, a folder or a manifest, false for video and `%05d` sequences.
    public var stillImages: Bool?
    /// How the fitted hands are smoothed over time (`Smoothing`).
    public var smoothing = Smoothing.auto
    /// File mode of `unix:` sockets.
    public var socketMode: UInt32 = 0o660
    /// How far a socket client may fall behind before it is disconnected, bytes.
    public var clientBufferBytes = 4 << 20
    /// Socket clients served at once; more are closed as they connect.
    public var maxClients = 64
    /// Bytes of records an `mqtt://` output buffers while its broker is away or slow.
    public var mqttBufferBytes = 4 << 20
    /// A file holding the broker's username (first line) and password (second line).
    public var mqttCredentials: String?
    /// CA certificates (PEM) for `mqtts://`; nil uses the system's trust store.
    public var mqttCAFile: String?
    /// Decoder and estimator threads; 0 lets each choose.
    public var threads = 0
    /// The stream is the process's only one (set by `run`, not by config): with `threads` 0 its
    /// networks may then take a second core when the palm search does not (`Interpreter.usesWorkers`).
    public var soleStream = false
    /// Overrides the file's log level for this stream's messages.
    public var logLevel: String?

    public init() {}
}

/// How a lost live input (or, for `serve`, a failed stream) is retried.
public struct ReconnectSettings: Sendable, Equatable {
    public var initialDelay = 0.5
    public var maxDelay = 30.0
    /// nil: forever.
    public var maxAttempts: Int?

    public init() {}
}

public struct CameraSettings: Sendable, Equatable {
    public var fx: Double
    public var fy: Double
    public var cx: Double
    public var cy: Double
    /// k1, k2, p1, p2, k3 (OpenCV's order).
    public var distortion: [Double]

    public init(fx: Double, fy: Double, cx: Double, cy: Double, distortion: [Double] = [0, 0, 0, 0, 0]) {
        self.fx = fx
        self.fy = fy
        self.cx = cx
        self.cy = cy
        self.distortion = distortion
    }
}

/// The landmark network's arithmetic (Neural's `Precision`), as the config names it.
public enum EvidencePrecision: String, Sendable, Equatable {
    case float32
    case int8
}

public enum MaskHand: String, Sendable, Equatable {
    case right
    case left
}

/// A forearm in a mask (a thresholded depth camera, a person segmenter) is not hand: the hand model
/// ends at the wrist. `auto` cuts away a forearm that leaves the frame, `cut` also one that ends
/// inside it (a depth threshold), `keep` fits the mask as it is (masks already cut at the wrist).
public enum MaskForearm: String, Sendable, Equatable, CaseIterable {
    case auto
    case cut
    case keep
}

public enum ModelChoice: Sendable, Equatable, CustomStringConvertible {
    /// The project's own open hand model.
    case builtin
    /// MANO's model file, which the user downloads under MANO's licence.
    case mano(path: String)

    public var description: String {
        switch self {
        case .builtin: "builtin"
        case .mano(let path): "mano:\(path)"
        }
    }
}

public enum LogLevelName {
    public static let all = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
}

/// How a stream's fitted hands are smoothed over time.
public enum Smoothing: String, Sendable, Equatable {
    /// Two-pass for recorded files, causal for live sources, cameras and photos; with a mask, causal.
    case auto
    /// Each frame from the frames before it: the One Euro filter (less jitter, a third of a frame of lag).
    case causal
    /// Each frame from the frames before and after it: a fixed-lag smoother that holds each frame's
    /// records back by its lag. Live sources, photos and streams with masks stay causal whatever the
    /// config says (a mask's IoU is measured on the fit the record reports).
    case twoPass = "two-pass"
    /// Each frame's own fit (the warm start and the track's shape still join frames).
    case off
}
