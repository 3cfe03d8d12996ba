@_spi(Testing) import Neural
import XCTest

/// The networks' first convolutions (on RGB) run the direct kernel; before it they ran im2col and
/// the packed GEMM. At float32 the two must give the same bits on every output of every network.
final class DirectStemTests: XCTestCase {
    func testFloat32OutputsAreTheBitsOfIm2col() throws {
        let manifest = try Fixtures.manifest()
        for network in HandNetwork.allCases {
            guard let entry = manifest.models.first(where: { $0.model == network.rawValue }) else {
                return XCTFail("manifest has no entry for \(network.rawValue): rerun `\(Fixtures.referenceCommand)`")
            }
            let bytes = try Fixtures.modelBytes(network)
            let direct = try TFLiteModel(bytes: bytes, name: network.rawValue)
            let im2col = try TFLiteModel(bytes: bytes, name: network.rawValue, backend: .packed, precision: .float32,
                                         directConvolutions: false)
            XCTAssertEqual(direct.operatorLabels.first?.hasSuffix(" direct"), true, "\(network): \(direct.operatorLabels[0])")
            XCTAssertEqual(im2col.operatorLabels.first?.hasSuffix(" im2col"), true, "\(network): \(im2col.operatorLabels[0])")
            XCTAssertEqual(direct.operatorLabels.dropFirst(), im2col.operatorLabels.dropFirst(), "\(network): only the stem changes")
            for threads in [1, 2] {
                let ours = try Interpreter(model: direct, threads: threads), theirs = try Interpreter(model: im2col, threads: threads)
                for input in entry.inputs {
                    let pixels = try Fixtures.floats("\(network.rawValue).\(input).input.f32")
                    XCTAssertEqual(Self.run(ours, pixels), Self.run(theirs, pixels), "\(network) on \(input), \(threads) threads")
                }
            }
        }
    }

    /// Every output's bit patterns, in order.
    static func run(_ interpreter: Interpreter, _ input: [Float]) -> [[UInt32]] {
        interpreter.withInput(0) { _ = $0.update(fromContentsOf: input) }
        interpreter.invoke()
        return (0..<interpreter.outputCount).map { k in interpreter.withOutput(k) { $0.map(\.bitPattern) } }
    }
}
