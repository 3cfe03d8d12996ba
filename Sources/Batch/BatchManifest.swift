import Foundation

/// A list of videos, one job each. A line is a path, or a JSON object with `input` (the path),
/// an optional `name` and any stream settings of the config (`{"input": "a.mp4", "max_hands": 1,
/// "camera": {"fx": 900, "fy": 900, "cx": 640, "cy": 360}}`). Blank lines and lines starting with
/// `#` are skipped; relative paths are taken from the manifest's folder. A job is named after its
/// video's file name unless the line names it; two jobs of one name are refused.
public struct BatchManifest: Sendable, Equatable {
    public let path: String
    public let jobs: [BatchJob]

    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BatchError("manifest \(path): cannot read: \(String(cString: strerror(errno)))")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw BatchError("manifest \(path): not UTF-8 text") }
        try self.init(text: text, path: path)
    }

    public init(text: String, path: String) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        var jobs: [BatchJob] = []
        var names: [String: Int] = [:]
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = i + 1
            let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            func fail(_ why: String) -> BatchError { BatchError("manifest \(path) line \(line): \(why)") }
            var input = trimmed
            var name: String?
            var overrides = ""
            if trimmed.hasPrefix("{") {
                guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else {
                    throw fail("not a JSON object")
                }
                guard let value = object["input"] as? String, !value.isEmpty else {
                    throw fail("no \"input\" (the video's path)")
                }
                input = value
                if let value = object["name"] {
                    guard let text = value as? String else { throw fail("\"name\" must be a string") }
                    name = text
                }
                do {
                    overrides = try TOMLFromJSON.keys(object.filter { $0.key != "input" && $0.key != "name" })
                } catch let error as TOMLFromJSON.Unsupported {
                    throw fail("\"\(error.key)\": \(error.why)")
                }
            }
            if !input.hasPrefix("/"), !input.contains("://"), !folder.isEmpty {
                input = folder + "/" + input
            }
            let jobName = name ?? Self.name(for: input)
            guard !jobName.isEmpty, jobName.utf8.count <= 200, !jobName.hasPrefix("."),
                  jobName.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) })
            else {
                throw fail("the job name \"\(jobName)\" is not 1 to 200 of A-Z a-z 0-9 - _ . (not starting with .); give the line a \"name\"")
            }
            if let first = names[jobName] {
                throw fail("the job name \"\(jobName)\" is already that of line \(first); give one of them a \"name\"")
            }
            names[jobName] = line
            jobs.append(BatchJob(index: jobs.count, line: line, input: input, name: jobName, overrides: overrides))
        }
        guard !jobs.isEmpty else { throw BatchError("manifest \(path): no videos in it") }
        self.jobs = jobs
    }

    /// The video's file name without its extension, made safe for a file name.
    static func name(for input: String) -> String {
        let base = ((input as NSString).lastPathComponent as NSString).deletingPathExtension
        return String(base.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_.".unicodeScalars.contains(scalar)) ? Character(scalar) : "_"
        })
    }
}

public struct BatchError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
