import Foundation

/// LOGISTIC: 1 / (1 + e^-x), elementwise.
struct Logistic {
    var input: Int
    var output: Int
    var count: Int

    func run(_ context: ExecutionContext) {
        let x = context.arena + input, y = context.arena + output
        for i in 0..<count { y[i] = 1 / (1 + exp(-x[i])) }
    }
}
