import Foundation
import Neural
import XCTest

/// Bad model files give one `ModelError` naming the file and the problem.
final class ModelErrorTests: XCTestCase {
    func testEmptyAndTinyFiles() {
        for count in [0, 3, 7] {
            XCTAssertThrowsError(try TFLiteModel(bytes: [UInt8](repeating: 0, count: count), name: "tiny.tflite")) { error in
                XCTAssertEqual((error as? ModelError)?.file, "tiny.tflite")
            }
        }
    }

    func testMissingIdentifier() throws {
        var bytes = try Fixtures.modelBytes(.handLandmarkLite)
        bytes[4] = UInt8(ascii: "X")
        XCTAssertThrowsError(try TFLiteModel(bytes: bytes, name: "lite.tflite")) { error in
            XCTAssertTrue("\(error)".contains("TFL3"), "\(error)")
        }
    }

    func testMissingFileNamesThePath() {
        let url = URL(fileURLWithPath: "/nonexistent/hand.tflite")
        XCTAssertThrowsError(try TFLiteModel(contentsOf: url)) { error in
            XCTAssertEqual((error as? ModelError)?.file, url.path)
        }
    }

    /// Every truncation point in the structure at both ends of the file, and a spread through the weights.
    func testTruncatedModelsFailCleanly() throws {
        let bytes = try Fixtures.modelBytes(.palmDetectionLite)
        var cuts = Array(stride(from: 0, to: 4096, by: 7)) + Array(stride(from: bytes.count - 70_000, to: bytes.count, by: 97))
        cuts += stride(from: 4096, to: bytes.count, by: bytes.count / 50)
        for cut in cuts {
            XCTAssertThrowsError(try TFLiteModel(bytes: Array(bytes[..<cut]), name: "cut.tflite"), "cut at \(cut)") { error in
                XCTAssertEqual((error as? ModelError)?.file, "cut.tflite")
            }
        }
    }

    func testThreadCountIsChecked() throws {
        let model = try Fixtures.model(.handLandmarkLite)
        XCTAssertThrowsError(try Interpreter(model: model, threads: 0))
        XCTAssertNoThrow(try Interpreter(model: model, threads: 3))
    }

    func testModelDescribesItsPorts() throws {
        let landmark = try Fixtures.model(.handLandmarkFull)
        XCTAssertEqual(landmark.outputNames, ["Identity", "Identity_1", "Identity_2", "Identity_3"])
        let interpreter = try Interpreter(model: landmark)
        XCTAssertEqual(interpreter.inputShape(0), [1, 224, 224, 3])
        XCTAssertEqual((0..<4).map(interpreter.outputShape), [[1, 63], [1, 1], [1, 1], [1, 63]])
        let palm = try Interpreter(model: try Fixtures.model(.palmDetectionFull))
        XCTAssertEqual(palm.inputShape(0), [1, 192, 192, 3])
        XCTAssertEqual([palm.outputShape(0), palm.outputShape(1)], [[1, 2016, 18], [1, 2016, 1]])
    }
}
