/// PAD with zeros, over up to four dimensions (lower ranks are padded with leading 1s).
struct Pad {
    var input: Int
    var output: Int
    /// Input shape, four dimensions.
    var shape: [Int]
    /// Zeros before each of the four dimensions.
    var before: [Int]
    var outShape: [Int]

    func run(_ context: ExecutionContext) {
        let x = context.arena + input, y = context.arena + output
        let total = outShape[0] * outShape[1] * outShape[2] * outShape[3]
        y.update(repeating: 0, count: total)
        let (d0, d1, d2, d3) = (shape[0], shape[1], shape[2], shape[3])
        var source = x
        for a in 0..<d0 {
            for b in 0..<d1 {
                for c in 0..<d2 {
                    let at = (((a + before[0]) * outShape[1] + b + before[1]) * outShape[2] + c + before[2]) * outShape[3] + before[3]
                    (y + at).update(from: source, count: d3)
                    source += d3
                }
            }
        }
    }
}
