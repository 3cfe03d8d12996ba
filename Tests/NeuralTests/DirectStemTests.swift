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

    /// At int8 the stems gather their patches as bytes from the input quantized once; before, they
    /// gathered floats and quantized each patch. Quantizing is elementwise and padding quantizes to
    /// the zero point, so the bytes, the sums and every output must be the same bits.
    func testInt8OutputsAreTheBitsOfFloatPatches() throws {
        guard Precision.int8Available else {
            // Without VNNI, asking for int8 gives the fp32 engine, which the test above covers.
            return XCTAssertEqual(try Fixtures.model(.handLandmarkFull, precision: .int8).precision, .float32)
        }
        let manifest = try Fixtures.manifest()
        for network in HandNetwork.allCases {
            guard let entry = manifest.models.first(where: { $0.model == network.rawValue }) else {
                return XCTFail("manifest has no entry for \(network.rawValue): rerun `\(Fixtures.referenceCommand)`")
            }
            let bytes = try Fixtures.modelBytes(network)
            let bytePatches = try TFLiteModel(bytes: bytes, name: network.rawValue, backend: .packed, precision: .int8,
                                              directConvolutions: true)
            let floatPatches = try TFLiteModel(bytes: bytes, name: network.rawValue, backend: .packed, precision: .int8,
                                               directConvolutions: false)
            XCTAssertEqual(bytePatches.operatorLabels.first?.hasSuffix(" im2col u8 int8"), true, "\(network): \(bytePatches.operatorLabels[0])")
            XCTAssertEqual(floatPatches.operatorLabels.first?.hasSuffix(" im2col int8"), true, "\(network): \(floatPatches.operatorLabels[0])")
            for threads in [1, 2] {
                let ours = try Interpreter(model: bytePatches, threads: threads), theirs = try Interpreter(model: floatPatches, threads: threads)
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
