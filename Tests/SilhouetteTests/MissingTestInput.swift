import Foundation

/// A test's input or tool is missing: the test fails (never skips), naming what to install or run.
struct MissingTestInput: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
