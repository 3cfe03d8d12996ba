/// Decode throughput of a `VideoSource` alone (demux, decode, convert to RGB), for `handmesh bench`.
public enum DecodeBenchmark {
    public struct Run: Sendable {
        public let frames: Int
        public let seconds: Double
        public var framesPerSecond: Double { seconds > 0 ? Double(frames) / seconds : 0 }
    }

    public struct Result: Sendable {
        public let input: String
        public let description: String
        public let runs: [Run]
        /// The median run's frames a second.
        public var medianFramesPerSecond: Double {
            let sorted = runs.map(\.framesPerSecond).sorted()
            guard !sorted.isEmpty else { return 0 }
            let middle = sorted.count / 2
            return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        }
    }

    /// Opens `spec` `repeats` times and reads up to `maxFrames` frames each time, timing from the first `next()`
    /// (opening and probing are not counted) to the last frame.
    public static func measure(_ spec: InputSpec, options: SourceOptions = SourceOptions(), repeats: Int = 3,
                               maxFrames: Int = .max) throws -> Result {
        var runs: [Run] = []
        var description = ""
        for _ in 0..<max(1, repeats) {
            let source = try VideoSource(spec, options: options)
            description = source.description
            var frames = 0
            let start = Clock.monotonicSeconds()
            reading: while frames < maxFrames {
                switch source.next() {
                case .frame: frames += 1
                case .end: break reading
                case .corrupt, .lost, .reconnected: continue
                }
            }
            runs.append(Run(frames: frames, seconds: Clock.monotonicSeconds() - start))
        }
        return Result(input: spec.text, description: description, runs: runs)
    }
}
