import Configuration

/// One video of a manifest and what its job does with it.
public struct BatchJob: Sendable, Equatable {
    /// 0-based, in manifest order: the Slurm array index or the Kubernetes completion index.
    public var index: Int
    /// The manifest line it came from, for messages.
    public var line: Int
    public var input: String
    /// Names its files in the output folder: `NAME.ndjson` and `NAME.summary.json`.
    public var name: String
    /// The manifest's own overrides as TOML keys (empty for a plain line); applied over the
    /// config's [defaults] when the job runs.
    public var overrides: String

    public init(index: Int, line: Int, input: String, name: String, overrides: String = "") {
        self.index = index
        self.line = line
        self.input = input
        self.name = name
        self.overrides = overrides
    }

    /// The job's settings: `defaults` with the manifest line's overrides on top.
    public func settings(over defaults: StreamSettings, manifest: String) throws -> StreamSettings {
        guard !overrides.isEmpty else { return defaults }
        return try ConfigLoader.settings(overrides, over: defaults, file: "\(manifest) line \(line)")
    }
}
