/// PRELU with one alpha per channel (the innermost dimension): x if x ≥ 0, else alpha·x.
struct PReLU {
    var input: Int
    var output: Int
    var alpha: Int
    var count: Int
    var channels: Int

    func run(_ context: ExecutionContext) {
        let x = context.arena + input, y = context.arena + output, alpha = context.weights + alpha
        let zero = SIMD8<Float>(repeating: 0)
        var base = 0
        while base < count {
            var c = 0
            while c + 8 <= channels {
                let v = load8(x + base + c)
                store8(v.replacing(with: v * load8(alpha + c), where: v .< zero), y + base + c)
                c += 8
            }
            while c < channels {
                let v = x[base + c]
                y[base + c] = v < 0 ? v * alpha[c] : v
                c += 1
            }
            base += channels
        }
    }
}
