/// MEAN over a contiguous run of axes (H and W of NHWC in these models): the input is seen as
/// [outer, reduced, inner] and summed in order over `reduced`, then divided, as TFLite's reference does.
struct Mean {
    var input: Int
    var output: Int
    var outer: Int
    var reduced: Int
    var inner: Int

    func run(_ context: ExecutionContext) {
        let x = context.arena + input, y = context.arena + output
        let scale = Float(reduced)
        for o in 0..<outer {
            let out = y + o * inner
            out.update(repeating: 0, count: inner)
            for r in 0..<reduced {
                let row = x + (o * reduced + r) * inner
                for i in 0..<inner { out[i] += row[i] }
            }
            for i in 0..<inner { out[i] /= scale }
        }
    }
}
