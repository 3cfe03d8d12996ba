import ArgumentParser
import Dispatch
import Foundation
import Logging
import Pipeline
import Records
import Sinks
import Video

/// `handmesh bench pipeline`: what the body (queues, records, sinks) costs per frame, with the
/// estimator stages empty, beside decoding alone as the peer; and the capture-to-socket latency
/// of a realtime-paced live source.
struct BenchPipeline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Decode-to-sink frames/s against decode-only, and capture-to-socket latency p50/p99.")

    @Option(help: "Runs of each measurement; medians are printed.")
    var runs = 5

    @Option(help: "Length of the generated 640x480 30 fps clip, seconds.")
    var clipSeconds = 20

    @Option(help: "Seconds of live source per latency run.")
    var latencySeconds = 5.0

    @Option(help: "Use this clip instead of generating one.")
    var clip: String?

    func validate() throws {
        guard runs >= 1, clipSeconds >= 1, latencySeconds > 0 else {
            throw ValidationError("--runs, --clip-seconds and --latency-seconds must be positive")
        }
    }

    func run() throws {
        var logger = Logger(label: "handmesh.bench")
        logger.logLevel = .error
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("handmesh-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clipPath = try clip ?? Self.makeClip(in: directory, seconds: clipSeconds)
        print("clip: \(clipPath)")

        var decodeRates: [Double] = []
        var pipelineRates: [Double] = []
        var sinkCosts: [Double] = []
        var decodeCPU: [Double] = []
        var pipelineCPU: [Double] = []
        var frames = 0
        for run in 1...runs {
            let decode = try Self.decodeOnly(clipPath)
            let body = try Self.decodeToSink(clipPath, output: "\(directory)/out.ndjson", logger: logger)
            frames = decode.frames
            guard body.frames == decode.frames else {
                throw ValidationError("the pipeline wrote \(body.frames) frame records for \(decode.frames) decoded frames")
            }
            decodeRates.append(Double(decode.frames) / decode.seconds)
            pipelineRates.append(Double(body.frames) / body.seconds)
            sinkCosts.append(body.sinkMilliseconds)
            decodeCPU.append(decode.cpuSeconds * 1000 / Double(decode.frames))
            pipelineCPU.append(body.cpuSeconds * 1000 / Double(body.frames))
            print("run \(run): decode-only \(Self.f(decodeRates.last!)) fps \(Self.f(decodeCPU.last!, 3)) CPU ms/frame, " +
                  "decode-to-sink \(Self.f(pipelineRates.last!)) fps \(Self.f(pipelineCPU.last!, 3)) CPU ms/frame, " +
                  "record+write \(Self.f(sinkCosts.last!, 4)) ms/frame")
        }
        let decodeRate = Self.median(decodeRates)
        let pipelineRate = Self.median(pipelineRates)
        let bodyCost = 1000 / pipelineRate - 1000 / decodeRate
        print("")
        print("throughput, \(frames) frames of 640x480, median of \(runs):")
        print("  decode-only (peer)     \(Self.f(decodeRate)) frames/s")
        print("  decode-to-sink         \(Self.f(pipelineRate)) frames/s   ratio \(Self.f(pipelineRate / decodeRate, 3))")
        print("  body cost per frame    \(Self.f(bodyCost, 4)) ms (difference of the two; goal < 1 ms)")
        print("  body CPU per frame     \(Self.f(Self.median(pipelineCPU) - Self.median(decodeCPU), 4)) ms " +
              "(process CPU time per frame, pipeline minus decode-only; robust to a busy machine)")
        print("  record+write per frame \(Self.f(Self.median(sinkCosts), 4)) ms (measured in the sink stage)")

        var latencies: [Double] = []
        for _ in 1...runs {
            latencies += try Self.liveLatency(seconds: latencySeconds, socket: "\(directory)/bench.sock", logger: logger)
        }
        latencies.sort()
        guard !latencies.isEmpty else { throw ValidationError("the live source delivered no frames") }
        print("capture-to-socket latency, 640x480 30 fps live (lavfi, realtime), \(latencies.count) frames:")
        print("  p50 \(Self.f(Self.percentile(latencies, 0.50), 3)) ms   p99 \(Self.f(Self.percentile(latencies, 0.99), 3)) ms")
    }

    static func makeClip(in directory: String, seconds: Int) throws -> String {
        let path = "\(directory)/bench-640x480.mp4"
        for codec in [["-c:v", "libx264", "-pix_fmt", "yuv420p"], ["-c:v", "mpeg4", "-q:v", "3"]] {
            let ffmpeg = Process()
            ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            ffmpeg.arguments = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                                "testsrc2=size=640x480:rate=30", "-t", String(seconds)] + codec + [path]
            try ffmpeg.run()
            ffmpeg.waitUntilExit()
            if ffmpeg.terminationStatus == 0 { return path }
        }
        throw ValidationError("ffmpeg could not make the benchmark clip")
    }

    static func decodeOnly(_ path: String) throws -> (frames: Int, seconds: Double, cpuSeconds: Double) {
        let start = DispatchTime.now()
        let cpuStart = cpuTime()
        let source = try VideoSource(try InputSpec(parsing: path))
        var frames = 0
        reading: while true {
            switch source.next() {
            case .frame: frames += 1
            case .end: break reading
            default: continue
            }
        }
        return (frames, seconds(since: start), cpuTime() - cpuStart)
    }

    /// User and system CPU seconds of the whole process so far.
    static func cpuTime() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func decodeToSink(_ path: String, output: String, logger: Logger) throws
        -> (frames: Int, seconds: Double, cpuSeconds: Double, sinkMilliseconds: Double)
    {
        try? FileManager.default.removeItem(atPath: output)
        let start = DispatchTime.now()
        let cpuStart = cpuTime()
        let source = try VideoSource(try InputSpec(parsing: path))
        let sinks = SinkSet([try FileSink(path: output, logger: logger)])
        let pipeline = Pipeline(source: source, stages: [], sinks: sinks, context: StreamContext(stream: "bench"), logger: logger)
        pipeline.start()
        let result = pipeline.wait()
        sinks.close()
        let elapsed = seconds(since: start)
        let cpu = cpuTime() - cpuStart
        let status = pipeline.status.snapshot
        return (result.processed, elapsed, cpu, Double(status.sinkNanoseconds) / 1e6 / Double(max(result.processed, 1)))
    }

    /// Milliseconds from each frame's capture to its record arriving at a socket client.
    static func liveLatency(seconds: Double, socket: String, logger: Logger) throws -> [Double] {
        var options = SourceOptions()
        options.realtime = true
        let source = try VideoSource(try InputSpec(parsing: "lavfi:testsrc2=size=640x480:rate=30"), options: options)
        var sinkOptions = SinkOptions()
        sinkOptions.closeGraceSeconds = 0.5
        let sink = try UnixSocketSink(path: socket, options: sinkOptions, logger: logger)
        let client = try LineClient(path: socket)
        let pipeline = Pipeline(source: source, stages: [], sinks: SinkSet([sink]), context: StreamContext(stream: "bench"),
                                logger: logger)
        pipeline.start()
        var latencies: [Double] = []
        let deadline = DispatchTime.now() + seconds
        while DispatchTime.now() < deadline, let line = client.readLine(timeout: 2) {
            let received = wallClock()
            if let capture = numberField("capture_time", in: line), line.contains("\"type\":\"frame\"") {
                latencies.append((received - capture) * 1000)
            }
        }
        pipeline.stop()
        _ = pipeline.wait(timeout: 10)
        sink.close()
        client.close()
        return latencies
    }

    static func numberField(_ name: String, in line: String) -> Double? {
        guard let range = line.range(of: "\"\(name)\":") else { return nil }
        let rest = line[range.upperBound...]
        let end = rest.firstIndex(where: { $0 == "," || $0 == "}" }) ?? rest.endIndex
        return Double(rest[..<end])
    }

    static func wallClock() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    static func median(_ values: [Double]) -> Double {
        percentile(values.sorted(), 0.5)
    }

    /// Nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    static func f(_ value: Double, _ decimals: Int = 1) -> String {
        String(format: "%.\(decimals)f", value)
    }
}

/// A blocking Unix-socket client that reads newline-terminated lines, for the latency benchmark.
final class LineClient {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard fd >= 0, bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw ValidationError("cannot create a client socket for \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw ValidationError("cannot connect to \(path): \(String(cString: strerror(errno)))")
        }
    }

    func readLine(timeout: Double) -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(timeout * 1000)) == 1 else { return nil }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    func close() {
        Glibc.close(fd)
    }
}
