/// ADD of two tensors of the same shape, with the fused activation.
struct Add {
    var first: Int
    var second: Int
    var output: Int
    var count: Int
    var clamp: Clamp

    func run(_ context: ExecutionContext) {
        let a = context.arena + first, b = context.arena + second, y = context.arena + output
        var i = 0
        while i + 8 <= count {
            store8(clamp.apply(load8(a + i) + load8(b + i)), y + i)
            i += 8
        }
        while i < count {
            y[i] = clamp.apply(a[i] + b[i])
            i += 1
        }
    }
}
