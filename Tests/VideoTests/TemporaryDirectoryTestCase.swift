import Foundation
import XCTest

/// A test case with a fresh temp directory for the clips it generates, removed afterwards.
class TemporaryDirectoryTestCase: XCTestCase {
    private(set) var directory: URL!

    override func setUpWithError() throws {
        directory = try VideoTestSupport.makeTempDirectory(String(describing: type(of: self)))
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }
}
