/// An upper bound on the length of the longest record a stream writes, for `client_buffer_bytes`:
/// a socket client's buffer must hold at least one whole record, or every client is dropped at
/// the first large one.
///
/// The frame record is the longest. Its numbers are fixed-point (`JSONWriter`, at most 5
/// decimals): metres and radians under 1000 and pixels under 10^7 take at most 12 characters with
/// their separator. A hand has 301 numbers (21 × 2 landmarks and joints2d, 21 × 3 world landmarks
/// and joints3d, pose 45, shape 10, bone factors 20, orientation, translation, ROI, scores, fit) in
/// 85 bracketed rows, about 4.2 KB with its keys, bounded here by 6 KiB; its 778 × 3 vertices add 778 rows of
/// at most 39 characters, about 30.3 KB, bounded by 32 KiB. The rest of the record (index, times,
/// size, stage times, a photo's path of up to 4096 bytes and its camera) stays under 8 KiB.
public enum RecordSizeBound {
    public static let frameBase = 8 << 10
    public static let perHand = 6 << 10
    public static let perHandVertices = 32 << 10

    public static func largestFrameRecord(maxHands: Int, vertices: Bool) -> Int {
        frameBase + maxHands * (perHand + (vertices ? perHandVertices : 0))
    }
}
