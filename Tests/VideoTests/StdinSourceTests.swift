import Foundation
import XCTest
import Video

/// Stdin is tested for real: the test puts a pipe on file descriptor 0 for the duration of each test.
final class StdinSourceTests: TemporaryDirectoryTestCase {
    private var savedStdin: Int32 = -1
    private var savedPipeHandler: (@convention(c) (Int32) -> Void)?

    override func setUpWithError() throws {
        try super.setUpWithError()
        savedStdin = dup(STDIN_FILENO)
        // A writer left behind by a failing test must get EPIPE, not kill the whole test process.
        savedPipeHandler = signal(SIGPIPE, SIG_IGN)
    }

    override func tearDownWithError() throws {
        dup2(savedStdin, STDIN_FILENO)
        close(savedStdin)
        signal(SIGPIPE, savedPipeHandler)
        try super.tearDownWithError()
    }

    /// Puts a fresh pipe on stdin; returns its write end.
    private func pipeOnStdin() -> Int32 {
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        dup2(ends[0], STDIN_FILENO)
        close(ends[0])
        return ends[1]
    }

    func testStreamThroughAPipe() throws {
        let clip = directory.appendingPathComponent("clip.ts")
        try VideoTestSupport.makeClip(clip, graph: "testsrc=size=320x240:rate=25:duration=2")
        let data = try Data(contentsOf: clip)
        let writer = pipeOnStdin()
        let spec = try InputSpec(parsing: "-")
        XCTAssertEqual(spec.kind, .stdin)
        XCTAssertFalse(spec.isLive)
        // The writer trickles the clip in, so the source must wait on a pipe that is open but momentarily empty.
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            data.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(writer, raw.baseAddress! + offset, min(4096, raw.count - offset))
                    if n <= 0 { break }
                    offset += n
                    if offset < 16384 { usleep(2000) }
                }
            }
            close(writer)
            done.signal()
        }
        let source = try VideoSource(spec, options: SourceOptions())
        XCTAssertTrue(source.description.contains("mpegts"), source.description)
        let result = VideoTestSupport.drain(source)
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(result.frames.count, 50)
        XCTAssertEqual(result.corrupt, 0)
        XCTAssertEqual(result.frames[10].pts - result.frames[9].pts, 0.04, accuracy: 1e-3)
        XCTAssertTrue(result.frames.allSatisfy { $0.width == 320 && $0.height == 240 })
    }

    func testRedirectedMP4WithIndexAtTheEndSeeks() throws {
        // `handmesh run --input - < clip.mp4`: stdin is a regular file, so the reader can seek to the index.
        let clip = directory.appendingPathComponent("clip.mp4")
        try VideoTestSupport.makeClip(clip, graph: "testsrc=size=160x120:rate=30:duration=1")
        let file = open(clip.path, O_RDONLY)
        XCTAssertGreaterThanOrEqual(file, 0)
        dup2(file, STDIN_FILENO)
        close(file)
        let result = VideoTestSupport.drain(try VideoSource(InputSpec(parsing: "-"), options: SourceOptions()))
        XCTAssertEqual(result.frames.count, 30)
    }

    func testGarbageOnStdinIsAClearError() throws {
        let writer = pipeOnStdin()
        let garbage = Array(String(repeating: "not a video at all ", count: 400).utf8)
        XCTAssertEqual(garbage.withUnsafeBytes { write(writer, $0.baseAddress!, $0.count) }, garbage.count)
        close(writer)
        XCTAssertThrowsError(try VideoSource(InputSpec(parsing: "-"), options: SourceOptions())) { error in
            XCTAssertEqual(String(describing: error), "-: not a video or image FFmpeg can read (invalid data found when processing input)")
        }
    }

    func testTerminalOnStdinIsRefused() throws {
        // /dev/ptmx by hand: posix_openpt and friends are not in Swift's Glibc module.
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        try XCTSkipIf(master < 0, "no pseudo-terminals here")
        defer { close(master) }
        // Linux's TIOCSPTLCK (_IOW('T', 0x31, int)) and TIOCGPTN (_IOR('T', 0x30, unsigned)); the macros do not import.
        var unlock: Int32 = 0, number: Int32 = 0
        XCTAssertEqual(ioctl(master, 0x4004_5431, &unlock), 0)
        XCTAssertEqual(ioctl(master, 0x8004_5430, &number), 0)
        let terminal = open("/dev/pts/\(number)", O_RDWR | O_NOCTTY)
        XCTAssertGreaterThanOrEqual(terminal, 0)
        XCTAssertEqual(isatty(terminal), 1)
        dup2(terminal, STDIN_FILENO)
        close(terminal)
        XCTAssertThrowsError(try VideoSource(InputSpec(parsing: "-"), options: SourceOptions())) { error in
            XCTAssertEqual(String(describing: error), "-: standard input is a terminal; pipe or redirect a video into it")
        }
    }

    func testCancelUnblocksASilentPipe() throws {
        let clip = directory.appendingPathComponent("clip.ts")
        try VideoTestSupport.makeClip(clip, graph: "testsrc=size=160x120:rate=25:duration=4")
        let data = try Data(contentsOf: clip)
        let writer = pipeOnStdin()
        defer { close(writer) }
        // Part of the stream, then silence with the pipe still open: next() blocks until cancelled. The part fits
        // in the pipe's 64 KiB buffer, so the writer never waits on the reader.
        let half = data.prefix(min(data.count / 2, 48_000))
        Thread.detachNewThread {
            half.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(writer, raw.baseAddress! + offset, raw.count - offset)
                    if n <= 0 { break }
                    offset += n
                }
            }
        }
        let source = try VideoSource(InputSpec(parsing: "-"), options: SourceOptions())
        let canceller = source.makeCanceller()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.7) { canceller.cancel() }
        let start = Date()
        let result = VideoTestSupport.drain(source)
        XCTAssertTrue(result.ended)
        XCTAssertGreaterThan(result.frames.count, 10)
        XCTAssertLessThan(result.frames.count, 100)
        XCTAssertLessThan(Date().timeIntervalSince(start), 2)
    }
}
