/// RESHAPE: the same floats under a new shape; copied, since the memory plan gives every tensor its own place.
struct Copy {
    var input: Int
    var output: Int
    var count: Int

    func run(_ context: ExecutionContext) {
        (context.arena + output).update(from: context.arena + input, count: count)
    }
}
