/// Reuses pixel buffers so the per-frame path allocates nothing once the pool has warmed up.
///
/// The pool keeps a reference to every buffer it made. A buffer whose only reference is the pool's has been
/// released by every `Frame` and may be written again; `isKnownUniquelyReferenced` tells that without a per-frame
/// lease object. Nobody else can take a new reference to a buffer only the pool holds, so the check cannot race.
final class FramePool {
    private var buffers: [PixelBuffer] = []
    /// Beyond this many buffers in flight the consumer is hoarding frames; further buffers are not pooled, so
    /// memory returns when the consumer lets go.
    let capacity: Int

    init(capacity: Int = 64) {
        self.capacity = capacity
        buffers.reserveCapacity(capacity)
    }

    func take(width: Int, height: Int) -> PixelBuffer {
        var index = 0
        while index < buffers.count {
            if isKnownUniquelyReferenced(&buffers[index]) {
                if buffers[index].width == width && buffers[index].height == height {
                    return buffers[index]
                }
                // The stream changed size (a reconnect, a new SPS): a free buffer of the old size is dead weight.
                buffers.remove(at: index)
                continue
            }
            index += 1
        }
        let buffer = PixelBuffer(width: width, height: height)
        if buffers.count < capacity {
            buffers.append(buffer)
        }
        return buffer
    }

    /// Buffers the pool currently keeps, free or in use.
    var pooledCount: Int { buffers.count }
}
