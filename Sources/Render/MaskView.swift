import Video

/// A read-only look at a mask image without copying it: a byte per pixel (`pixelStride` 1) or the
/// first channel of packed RGB (`pixelStride` 3, a decoded mask video frame). Hand where the byte
/// is at least 128, the middle of a white-hand-on-black video after lossy coding.
/// Valid only while the memory it points into is. Pixels beyond `cut` (the forearm) are not hand.
public struct MaskView {
    public let base: UnsafePointer<UInt8>
    public let width: Int
    public let height: Int
    public let rowBytes: Int
    public let pixelStride: Int
    /// Where the forearm is cut away; `.none` keeps every pixel.
    public var cut: WristCut

    public init(_ base: UnsafePointer<UInt8>, width: Int, height: Int, rowBytes: Int? = nil, pixelStride: Int = 1,
                cut: WristCut = .none) {
        self.base = base
        self.cut = cut
        self.width = width
        self.height = height
        self.pixelStride = pixelStride
        self.rowBytes = rowBytes ?? width * pixelStride
    }

    /// Bytes at or above this are hand.
    public static let handThreshold: UInt8 = 128

    @inline(__always) public func isHand(x: Int, y: Int) -> Bool {
        base[y * rowBytes + x * pixelStride] >= Self.handThreshold && !cut.removes(x: x, y: y)
    }

    /// This view with the forearm beyond `cut` cut away.
    public func cutting(_ cut: WristCut) -> MaskView {
        var view = self
        view.cut = cut
        return view
    }
}

extension PixelBuffer {
    /// This RGB picture as a mask (its red channel): how a decoded mask video frame is read.
    public func withMaskView<R>(_ body: (MaskView) throws -> R) rethrows -> R {
        try withUnsafeBytes { raw in
            try body(MaskView(raw.bindMemory(to: UInt8.self).baseAddress!, width: width, height: height,
                              rowBytes: rowBytes, pixelStride: 3))
        }
    }
}
