/// RESIZE_BILINEAR over NHWC, following TFLite's reference kernel: a source coordinate per output
/// pixel ((o + 0.5)·scale − 0.5 with half-pixel centres, o·scale otherwise; scale = (in − 1)/(out − 1)
/// with align_corners, in/out without), its floor clamped at 0 and its ceiling at in − 1.
struct ResizeBilinear {
    var input: Int
    var output: Int
    var batch: Int
    var height: Int
    var width: Int
    var channels: Int
    var outHeight: Int
    var outWidth: Int
    var alignCorners: Bool
    var halfPixelCenters: Bool

    private func source(_ o: Int, inSize: Int, outSize: Int) -> (Int, Int, Float) {
        let scale = alignCorners && outSize > 1 ? Float(inSize - 1) / Float(outSize - 1) : Float(inSize) / Float(outSize)
        let s = halfPixelCenters ? (Float(o) + 0.5) * scale - 0.5 : Float(o) * scale
        let floor = s.rounded(.down)
        let lower = max(Int(floor), 0)
        let upper = min(Int(s.rounded(.up)), inSize - 1)
        return (lower, upper, s - floor)
    }

    func run(_ context: ExecutionContext) {
        let x = context.arena + input, y = context.arena + output
        let c = channels
        var out = y
        for image in 0..<batch {
            let plane = x + image * height * width * c
            for oy in 0..<outHeight {
                let (y0, y1, dy) = source(oy, inSize: height, outSize: outHeight)
                for ox in 0..<outWidth {
                    let (x0, x1, dx) = source(ox, inSize: width, outSize: outWidth)
                    let p00 = plane + (y0 * width + x0) * c, p01 = plane + (y0 * width + x1) * c
                    let p10 = plane + (y1 * width + x0) * c, p11 = plane + (y1 * width + x1) * c
                    for ch in 0..<c {
                        out[ch] = p00[ch] * (1 - dy) * (1 - dx) + p10[ch] * dy * (1 - dx)
                            + p01[ch] * (1 - dy) * dx + p11[ch] * dy * dx
                    }
                    out += c
                }
            }
        }
    }
}
