import Foundation

/// What went wrong loading or building a hand model; every case names the file (or source) and the problem.
public struct HandModelError: Error, CustomStringConvertible, Equatable {
    public var source: String
    public var problem: String
    public init(_ source: String, _ problem: String) {
        self.source = source
        self.problem = problem
    }
    public var description: String { "\(source): \(problem)" }
}
