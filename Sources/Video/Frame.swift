/// One decoded picture with its timing.
public struct Frame: Sendable {
    /// 0, 1, 2, … in delivery order; it keeps counting across reconnects.
    public let index: Int
    /// Presentation time in seconds on the stream's clock (as ffprobe's pts_time); after a reconnect a network
    /// stream's clock may start over.
    public let pts: Double
    /// Wall-clock time, seconds since the Unix epoch, taken when the frame left the decoder.
    public let captureTime: Double
    /// Packed RGB24 pixels.
    public let pixels: PixelBuffer
    /// The photo this frame is, for inputs of still images; nil for video.
    public var still: StillImage?

    public var width: Int { pixels.width }
    public var height: Int { pixels.height }

    public init(index: Int, pts: Double, captureTime: Double, pixels: PixelBuffer, still: StillImage? = nil) {
        self.index = index
        self.pts = pts
        self.captureTime = captureTime
        self.pixels = pixels
        self.still = still
    }
}
