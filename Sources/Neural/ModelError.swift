import Foundation

/// Why a model file could not be used: names the file and what is wrong in it.
public struct ModelError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file (or name given for a byte buffer) the problem is in.
    public let file: String
    /// What is wrong, with the place in the file's structure (e.g. "subgraph 0, tensor 12: …").
    public let problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}

extension ModelError {
    /// A model file that could not be read. Foundation reports a directory as "error 256"; say what it is.
    static func unreadable(_ url: URL, _ error: Error) -> ModelError {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return ModelError(file: url.path, problem: "is a directory, expected a model file")
        }
        return ModelError(file: url.path, problem: "cannot be read (\(error.localizedDescription))")
    }
}
