import CKernels

/// A convolution's filter quantized for the int8 GEMM (`Precision.int8`): per output channel,
/// symmetric s8, q = round(w / scale) with scale = max |w| / 127, so each channel uses the whole
/// range whatever its magnitude, and 0 stays exact. -128 is never used, which keeps |q| ≤ 127.
struct QuantizedWeights {
    /// The deepest product the int8 GEMM takes: 255 · 127 · 65536 < 2³¹, so no int32 sum of u8 × s8
    /// products can overflow (VPDPBUSD wraps silently).
    static let maximumDepth = 65536

    /// s8 panels of 16 channels in VPDPBUSD's order (CKernels.h).
    var packed: [Int8]
    /// Per channel, padded with zeros to whole panels: the scale, and the sum of the quantized row
    /// (what the activations' zero point multiplies, subtracted once per output).
    var scale: [Float]
    var sum: [Float]

    /// - Parameter weights: TFLite's filter, [n][k].
    init(_ weights: [Float], n: Int, k: Int) {
        let panel = Int(HANDMESH_S8_PANEL), depth = handmesh_s8_depth(k)
        let width = PackedGEMM.panels(n) * panel
        packed = [Int8](repeating: 0, count: width * depth)
        scale = [Float](repeating: 0, count: width)
        sum = [Float](repeating: 0, count: width)
        for channel in 0..<n {
            let row = weights[channel * k..<(channel + 1) * k]
            let largest = row.reduce(0) { max($0, abs($1)) }
            let step: Float = largest > 0 && largest.isFinite ? largest / 127 : 1
            scale[channel] = step
            let p = channel / panel, lane = channel % panel
            var total = 0
            for (i, w) in row.enumerated() {
                let r = (w / step).rounded(.toNearestOrEven)
                // A NaN weight (a corrupted file) becomes 0 rather than trapping in the conversion.
                let q = r.isNaN ? 0 : Int8(max(-127, min(127, r)))
                total += Int(q)
                packed[(p * depth / 4 + i / 4) * 64 + 4 * lane + i % 4] = q
            }
            sum[channel] = Float(total)
        }
    }
}
