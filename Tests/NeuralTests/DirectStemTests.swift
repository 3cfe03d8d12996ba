@_spi(Testing) import Neural
import XCTest

/// The networks' first convolutions (on RGB) run the direct kernel; before it they ran im2col and
/// the packed GEMM. At float32 the two must give the same bits on every output of every network.
final class DirectStemTests: XCTestCase {
    func testFloat32OutputsAreTheBitsOfIm2col() throws {
        try expectSameBits(.float32, stem: " direct", before: " im2col", restUnchanged: true)
    }

    /// At int8 the stems gather their patches as bytes from the input quantized once; before, they
    /// gathered floats and quantized each patch. Quantizing is elementwise and padding quantizes to
    /// the zero point, so the bytes, the sums and every output must be the same bits.
    func testInt8OutputsAreTheBitsOfFloatPatches() throws {
        guard Precision.int8Available else {
            // Without VNNI, asking for int8 gives the fp32 engine, which the test above covers.
            return XCTAssertEqual(try Fixtures.model(.handLandmarkFull, precision: .int8).precision, .float32)
        }
        try expectSameBits(.int8, stem: " im2col u8 int8", before: " im2col int8", restUnchanged: false)
    }

    /// Every network at `precision` with its stem's own kernel (first label ending in `stem`) against
    /// fp32 im2col and the GEMM (`before`), on every reference input, at 1 and 2 threads.
    func expectSameBits(_ precision: Precision, stem: String, before: String, restUnchanged: Bool) throws {
        let manifest = try Fixtures.manifest()
        for network in HandNetwork.allCases {
            guard let entry = manifest.models.first(where: { $0.model == network.rawValue }) else {
                return XCTFail("manifest has no entry for \(network.rawValue): rerun `\(Fixtures.referenceCommand)`")
            }
            let bytes = try Fixtures.modelBytes(network)
            let ownKernel = try TFLiteModel(bytes: bytes, name: network.rawValue, backend: .packed, precision: precision,
                                            directConvolutions: true)
            let im2col = try TFLiteModel(bytes: bytes, name: network.rawValue, backend: .packed, precision: precision,
                                         directConvolutions: false)
            XCTAssertEqual(ownKernel.operatorLabels.first?.hasSuffix(stem), true, "\(network): \(ownKernel.operatorLabels[0])")
            XCTAssertEqual(im2col.operatorLabels.first?.hasSuffix(before), true, "\(network): \(im2col.operatorLabels[0])")
            if restUnchanged {
                XCTAssertEqual(ownKernel.operatorLabels.dropFirst(), im2col.operatorLabels.dropFirst(), "\(network): only the stem changes")
            }
            for threads in [1, 2] {
                let ours = try Interpreter(model: ownKernel, threads: threads), theirs = try Interpreter(model: im2col, threads: threads)
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
