/// What went wrong in fitting's inputs (weights, evidence, calibration files); names what and where.
public struct FittingError: Error, CustomStringConvertible, Equatable {
    public var source: String
    public var problem: String
    public init(_ source: String, _ problem: String) {
        self.source = source
        self.problem = problem
    }
    public var description: String { "\(source): \(problem)" }
}
