import Foundation

/// The one line a job leaves beside its records (`NAME.summary.json`) and prints: what ran and
/// how it ended. A rerun reads it to skip what is finished.
public struct BatchSummary: Sendable, Equatable {
    public var job: String
    public var index: Int
    public var input: String
    public var outcome: BatchOutcome
    public var decoded = 0
    public var processed = 0
    public var dropped = 0
    public var corrupt = 0
    public var seconds = 0.0
    public var detail: String?
    /// True when this run found the job finished and did nothing.
    public var skipped = false

    public init(job: String, index: Int, input: String, outcome: BatchOutcome) {
        self.job = job
        self.index = index
        self.input = input
        self.outcome = outcome
    }

    public var json: String {
        var object: [String: Any] = [
            "job": job, "index": index, "input": input, "status": outcome.rawValue, "decoded": decoded,
            "processed": processed, "dropped": dropped, "corrupt": corrupt, "seconds": (seconds * 1000).rounded() / 1000,
        ]
        if let detail { object["detail"] = detail }
        if skipped { object["skipped"] = true }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The summary a finished job left, or nil (none, unreadable, or not this job's).
    public static func read(path: String, job: String) -> BatchSummary? {
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              object["job"] as? String == job,
              let status = (object["status"] as? String).flatMap(BatchOutcome.init(rawValue:)),
              let index = object["index"] as? Int, let input = object["input"] as? String
        else { return nil }
        var summary = BatchSummary(job: job, index: index, input: input, outcome: status)
        summary.decoded = object["decoded"] as? Int ?? 0
        summary.processed = object["processed"] as? Int ?? 0
        summary.dropped = object["dropped"] as? Int ?? 0
        summary.corrupt = object["corrupt"] as? Int ?? 0
        summary.seconds = object["seconds"] as? Double ?? 0
        summary.detail = object["detail"] as? String
        return summary
    }
}
