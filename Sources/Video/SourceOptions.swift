/// How a `VideoSource` opens, scales, paces and recovers its input.
public struct SourceOptions: Sendable, Equatable {
    /// Frames whose longer side exceeds this are downscaled to it, aspect kept.
    public var maxDimension: Int = 1920
    /// Backoff for network and camera sources after a loss.
    public var reconnect = ReconnectPolicy()
    /// Seconds a network or camera read may wait for data before the source counts as lost.
    public var readTimeout: Double = 10
    /// Seconds opening a network or camera source may take, stream probing included.
    public var openTimeout: Double = 15
    /// Whether the input is live (frames dropped while busy; lost, reconnected) or finite (read once,
    /// losslessly, to its end); nil lets the source decide from what FFmpeg reports.
    public var live: Bool?
    /// Pace a file or lavfi graph at its frame rate, to simulate a live source; such a source reports `isLive`.
    public var realtime: Bool = false
    /// Inputs declaring a larger side are refused before anything is allocated for them.
    public var maxInputSide: Int = 16384
    /// Inputs declaring more pixels than this are refused before anything is allocated for them.
    public var maxInputPixels: Int = 100_000_000
    /// Decoder threads; 0 lets FFmpeg choose from the core count.
    public var decoderThreads: Int = 0

    public init() {}
}
