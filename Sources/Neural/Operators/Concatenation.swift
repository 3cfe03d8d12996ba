/// CONCATENATION along one axis: for each outer index, each input's inner block in turn.
struct Concatenation {
    var inputs: [Int]
    /// Floats each input contributes per outer index (its axis length times the inner size).
    var blocks: [Int]
    var output: Int
    var outer: Int
    var clamp: Clamp

    func run(_ context: ExecutionContext) {
        var y = context.arena + output
        for o in 0..<outer {
            for (input, block) in zip(inputs, blocks) {
                let x = context.arena + input + o * block
                for i in 0..<block { y[i] = clamp.apply(x[i]) }
                y += block
            }
        }
    }
}
