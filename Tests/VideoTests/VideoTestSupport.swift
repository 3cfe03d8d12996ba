import Foundation
import XCTest
import Video

/// Clips and processes the video tests share: everything is generated with the real ffmpeg CLI into a temp dir.
enum VideoTestSupport {
    static let ffmpeg: String = {
        for candidate in ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg"] where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return "ffmpeg"
    }()

    /// H.264 when the CLI can encode it, MPEG-4 part 2 otherwise.
    static let videoEncoder: String = {
        let listing = (try? run(["-hide_banner", "-encoders"], timeout: 20).output) ?? ""
        return listing.contains(" libx264 ") ? "libx264" : "mpeg4"
    }()

    static func makeTempDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("handmesh-video-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    struct Result { let status: Int32; let output: String }

    /// Runs ffmpeg to completion, killing it after `timeout` seconds so a test can never hang on it.
    @discardableResult
    static func run(_ arguments: [String], timeout: Double = 60) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ffmpeg.hasPrefix("/") ? ffmpeg : "/usr/bin/env")
        process.arguments = (ffmpeg.hasPrefix("/") ? [] : ["ffmpeg"]) + ["-nostdin"] + arguments
        // A log file instead of a pipe: reading a pipe to its end would wait forever on a hung ffmpeg.
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("handmesh-ffmpeg-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { process.terminate() }
            usleep(5_000)
        }
        process.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, output: output)
    }

    /// Runs ffmpeg and fails loudly with its output when it fails.
    static func ffmpegOK(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try run(["-hide_banner", "-loglevel", "error", "-y"] + arguments)
        if result.status != 0 {
            XCTFail("ffmpeg \(arguments.joined(separator: " ")) failed: \(result.output)", file: file, line: line)
            throw VideoError(input: "ffmpeg", message: "fixture generation failed")
        }
    }

    /// Encodes a lavfi graph to `path` with the preferred encoder; `extra` goes before the output name.
    static func makeClip(_ path: URL, graph: String, extra: [String] = []) throws {
        var codec = ["-c:v", videoEncoder, "-pix_fmt", "yuv420p"]
        if videoEncoder == "libx264" { codec += ["-preset", "ultrafast"] } else { codec += ["-q:v", "3"] }
        try ffmpegOK(["-f", "lavfi", "-i", graph] + codec + extra + [path.path])
    }

    /// Every event until `.end` (or `limit` frames), with the frames kept.
    struct Drained {
        var frames: [Frame] = []
        var corrupt = 0
        var corruptDetails: [String] = []
        var lost: [String] = []
        var reconnected: [Int] = []
        var ended = false
    }

    static func drain(_ source: VideoSource, limit: Int = .max, keepFrames: Bool = true) -> Drained {
        var result = Drained()
        var seen = 0
        while seen < limit {
            switch source.next() {
            case .frame(let frame):
                seen += 1
                if keepFrames { result.frames.append(frame) }
            case .corrupt(let packets, let detail):
                result.corrupt += packets
                result.corruptDetails.append(detail)
            case .lost(let reason): result.lost.append(reason)
            case .reconnected(let attempt): result.reconnected.append(attempt)
            case .end:
                result.ended = true
                return result
            }
        }
        return result
    }

    /// The mean colour of a frame, sampled on a grid.
    static func meanColor(_ frame: Frame) -> (r: Double, g: Double, b: Double) {
        var sum = (r: 0.0, g: 0.0, b: 0.0)
        var count = 0.0
        for y in stride(from: 0, to: frame.height, by: max(1, frame.height / 16)) {
            for x in stride(from: 0, to: frame.width, by: max(1, frame.width / 16)) {
                let p = frame.pixels.pixel(x: x, y: y)
                sum.r += Double(p.r); sum.g += Double(p.g); sum.b += Double(p.b)
                count += 1
            }
        }
        return (sum.r / count, sum.g / count, sum.b / count)
    }

    /// CRC-32 (IEEE, as PNG and zlib use it), for patching PNG chunks.
    static func crc32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// The frame's pixels without row padding: width × height × 3 bytes.
    static func packedRGB(_ frame: Frame) -> [UInt8] {
        frame.pixels.withUnsafeBytes { raw in
            (0..<frame.height).flatMap { y in raw[(y * frame.pixels.rowBytes)..<(y * frame.pixels.rowBytes + 3 * frame.width)] }
        }
    }

    /// The first frame of `path` as the ffmpeg CLI decodes it to packed RGB24: an independent oracle.
    static func ffmpegFirstFrameRGB(_ path: String, directory: URL, filter: String? = nil) throws -> [UInt8] {
        let out = directory.appendingPathComponent("oracle-\(UUID().uuidString).rgb")
        defer { try? FileManager.default.removeItem(at: out) }
        let filtering = filter.map { ["-vf", $0] } ?? []
        try ffmpegOK(["-i", path] + filtering + ["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", out.path])
        return [UInt8](try Data(contentsOf: out))
    }

    static func bytes(of frame: Frame) -> [UInt8] {
        frame.pixels.withUnsafeBytes { Array($0) }
    }

    /// Where the shared stereo-hand clip lives: ../shared relative to the repository root.
    static var realClip: URL {
        var url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        for _ in 0..<3 { url.deleteLastPathComponent() }  // VideoTests, Tests, repository root
        return url.deletingLastPathComponent().appendingPathComponent("shared/data/stereo-hand/cam0_test.mp4")
    }
}

extension VideoTestSupport {
    /// A loopback port nothing listens on: bound once by the kernel's choice, then released.
    static func unusedPort() throws -> UInt16 {
        let listener = try SilentListener()
        let port = listener.port
        listener.close()
        return port
    }

    /// A TCP listener on 127.0.0.1 that accepts (in the kernel backlog) but never sends a byte.
    final class SilentListener: @unchecked Sendable {
        let fd: Int32
        let port: UInt16

        init() throws {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.fd = fd
            guard fd >= 0 else { throw VideoError(input: "test listener", message: "socket failed") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, listen(fd, 4) == 0 else {
                Glibc.close(fd)
                throw VideoError(input: "test listener", message: "bind failed")
            }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            port = UInt16(bigEndian: address.sin_port)
        }

        func close() { Glibc.close(fd) }
    }
}

extension VideoTestSupport {
    /// A real-time MPEG-TS stream from the ffmpeg CLI on 127.0.0.1:port: a TCP or HTTP server for one client
    /// (it exits when the client goes), or a UDP sender.
    final class StreamServer: @unchecked Sendable {
        enum Transport { case tcp, http, udp }
        let port: UInt16
        let transport: Transport
        private var process: Process?

        init(port: UInt16, transport: Transport = .tcp) {
            self.port = port
            self.transport = transport
        }

        /// The URL a client opens.
        var url: String {
            switch transport {
            case .tcp: "tcp://127.0.0.1:\(port)"
            case .http: "http://127.0.0.1:\(port)/live.ts"
            case .udp: "udp://127.0.0.1:\(port)"
            }
        }

        private var outputArguments: [String] {
            switch transport {
            case .tcp: ["\(url)?listen=1"]
            case .http: ["-listen", "1", url]
            case .udp: ["\(url)?pkt_size=1316"]
            }
        }

        func start() throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: VideoTestSupport.ffmpeg)
            process.arguments = ["-nostdin", "-hide_banner", "-loglevel", "error", "-re",
                                 "-f", "lavfi", "-i", "testsrc=size=160x120:rate=25",
                                 "-c:v", "mpeg4", "-q:v", "5", "-g", "5", "-f", "mpegts"] + outputArguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            self.process = process
        }

        /// Sends a signal to the running server (SIGKILL for a crash, SIGSTOP for a stall, SIGCONT to resume).
        func signal(_ number: Int32) {
            guard let process, process.isRunning else { return }
            kill(process.processIdentifier, number)
        }

        func stop() {
            guard let process else { return }
            if process.isRunning {
                kill(process.processIdentifier, SIGCONT)
                kill(process.processIdentifier, SIGKILL)
            }
            process.waitUntilExit()
            self.process = nil
        }

        deinit { stop() }
    }

    /// Opens `url` as soon as its server listens, retrying refused connections for up to `within` seconds.
    static func openWhenListening(_ url: String, options: SourceOptions, within seconds: Double = 5) throws -> VideoSource {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            do {
                return try VideoSource(InputSpec(parsing: url), options: options)
            } catch let error as VideoError where error.message == "connection refused" && Date() < deadline {
                usleep(50_000)
            }
        }
    }
}

/// Reproducible xorshift, so a failing fuzz case can be replayed from its seed.
struct XorShiftGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return state
    }
}
