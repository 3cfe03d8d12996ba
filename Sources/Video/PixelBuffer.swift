/// One decoded frame as packed RGB24: row-major, 3 bytes a pixel (R, G, B), rows `rowBytes` apart
/// (`rowBytes >= 3 * width`, padded to 64 bytes so swscale can write whole vectors).
///
/// Immutable once delivered in a `Frame`, which is what makes it safe to share across queues. Buffers are pooled by
/// their `VideoSource`: one is written again only after every `Frame` referencing it has been released.
public final class PixelBuffer: @unchecked Sendable {
    public let width: Int
    public let height: Int
    public let rowBytes: Int
    /// Bytes of pixel data: `rowBytes * height`.
    public var count: Int { rowBytes * height }

    private let storage: UnsafeMutableRawPointer
    private static let alignment = 64

    /// A zero-filled buffer. Fill it with `withUnsafeMutableBytes` before handing it to another thread.
    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "PixelBuffer needs a positive size, got \(width)x\(height)")
        self.width = width
        self.height = height
        let packed = 3 * width
        rowBytes = (packed + PixelBuffer.alignment - 1) / PixelBuffer.alignment * PixelBuffer.alignment
        // swscale's vector loops may touch a few bytes past the last row; the slack keeps that inside the allocation.
        let bytes = rowBytes * height + PixelBuffer.alignment
        storage = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: PixelBuffer.alignment)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
    }

    deinit {
        storage.deallocate()
    }

    /// The pixel rows, `rowBytes * height` bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage, count: count))
    }

    /// Writes the pixels. Only for a buffer nobody else holds yet: the source fills pooled buffers this way, and
    /// renderers and tests may fill their own before wrapping them in a `Frame`.
    public func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeMutableRawBufferPointer(start: storage, count: count))
    }

    /// The red, green and blue bytes at column `x`, row `y` (bounds-checked).
    public func pixel(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)x\(height)")
        let p = storage.advanced(by: y * rowBytes + 3 * x).assumingMemoryBound(to: UInt8.self)
        return (p[0], p[1], p[2])
    }

    /// For the scaler, which writes straight into the buffer without a copy.
    var mutableBaseAddress: UnsafeMutablePointer<UInt8> { storage.assumingMemoryBound(to: UInt8.self) }
}
