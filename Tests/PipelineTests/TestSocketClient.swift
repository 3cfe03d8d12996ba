import Foundation

/// A real Unix stream-socket client for the tests: it connects, and reads lines when asked (a
/// "slow" client is simply one that is never asked).
final class TestSocketClient: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var sawEndOfStream = false

    init(path: String, receiveBuffer: Int? = nil) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(String(cString: strerror(errno)))") }
        if var size = receiveBuffer.map(Int32.init) {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw TestFailure("connect \(path): \(message)")
        }
    }

    deinit {
        close(fd)
    }

    /// Reads whatever arrives within `timeout` seconds; false once the server has closed.
    @discardableResult
    func receive(timeout: Double) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) == 1 else { return !sawEndOfStream }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 {
            sawEndOfStream = true
            return false
        }
        buffer.append(contentsOf: chunk[..<n])
        return true
    }

    /// Complete lines received so far (without their newlines), consumed.
    func takeLines() -> [String] {
        guard let last = buffer.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        let text = String(decoding: buffer[...last], as: UTF8.self)
        buffer.removeSubrange(...last)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// Bytes after the last complete line.
    var partialTail: Int { buffer.count }

    /// Reads until `condition` holds for the lines gathered so far, the server closes, or `timeout` passes.
    func readLines(timeout: Double, until condition: ([String]) -> Bool) -> [String] {
        var lines: [String] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, !condition(lines) {
            let open = receive(timeout: 0.1)
            lines += takeLines()
            if !open { break }
        }
        return lines
    }
}
