import XCTest

/// What the C convolution kernels' bit-for-bit tests share: random tensors, the fused activations,
/// the comparison with unclamped reference sums, and guard zones around the output.
enum KernelChecks {
    typealias Random = ModelFuzzTests.Random

    /// (low, high) of the fused activations: NONE, RELU, RELU_N1_TO_1, RELU6.
    static let clamps: [(Float, Float)] = [(-.infinity, .infinity), (0, .infinity), (-1, 1), (0, 6)]

    /// Floats past each end of the output that a kernel must leave alone.
    static let guardCount = 64
    static let guardValue = Float(bitPattern: 0x7FC0_1234)

    /// `count` values uniform in [-scale, scale) on a 2^-23 grid, one in eight of them drawn from
    /// `specials` instead when it is not empty.
    static func draw(_ count: Int, _ scale: Float, _ random: inout Random, specials: [Float]) -> [Float] {
        (0..<count).map { _ in
            if !specials.isEmpty && random.below(8) == 0 { return specials[random.below(specials.count)] }
            return Float(Int64(random.next() >> 40) - (1 << 23)) / Float(1 << 23) * scale
        }
    }

    /// Fails unless every output is its sum clamped as Clamp.apply does on vectors (below low gives
    /// low, then above high gives high; NaN stays, compared as NaN, its payload aside).
    static func expectClamped(_ actual: [Float], _ sums: [Float], low: Float, high: Float, _ what: String,
                              file: StaticString = #filePath, line: UInt = #line) {
        var mismatches = 0, first = -1
        for i in 0..<sums.count {
            let raised = sums[i] < low ? low : sums[i]
            let expected = raised > high ? high : raised
            if expected.isNaN ? !actual[i].isNaN : expected.bitPattern != actual[i].bitPattern {
                mismatches += 1
                if first < 0 { first = i }
            }
        }
        XCTAssertEqual(mismatches, 0, "\(what), clamp [\(low), \(high)]: first at \(first) of \(sums.count)", file: file, line: line)
    }

    /// Runs the kernel under each fused activation and checks its outputs against the unclamped
    /// reference `sums` (`expectClamped`).
    static func expectEveryClamp(_ sums: [Float], _ what: String, _ run: (_ low: Float, _ high: Float) -> [Float]) {
        for (low, high) in clamps {
            expectClamped(run(low, high), sums, low: low, high: high, what)
        }
    }

    /// The `count` floats `kernel` writes from the pointer it is given, which has guard zones on both
    /// sides; fails `what` if the kernel wrote into them.
    static func guarded(_ count: Int, _ what: String, _ kernel: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        var output = [Float](repeating: guardValue, count: count + 2 * guardCount)
        output.withUnsafeMutableBufferPointer { kernel($0.baseAddress! + guardCount) }
        let guards = output[..<guardCount] + output[(count + guardCount)...]
        XCTAssertTrue(guards.allSatisfy { $0.bitPattern == guardValue.bitPattern }, "\(what): wrote outside the output")
        return Array(output[guardCount..<(count + guardCount)])
    }
}
