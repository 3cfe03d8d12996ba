import Dispatch
import Foundation
import Sinks

/// A small HTTP/1.1 responder for Prometheus's scrapes: `GET /metrics` answers with the text
/// `render` makes at that moment; anything else gets 404 or 405. One connection at a time, each
/// closed after its answer: a scraper asks every few seconds, and this costs nothing in between
/// (a thread asleep in poll), far less than an HTTP framework would add to the build.
public final class MetricsServer: @unchecked Sendable {
    public let address: MetricsAddress
    private let listenFD: Int32
    private let socketInode: ino_t?
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let render: @Sendable () -> String
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopped = false

    public init(address: MetricsAddress, render: @escaping @Sendable () -> String) throws {
        self.address = address
        self.render = render
        switch address {
        case .unix(let path):
            let (fd, inode) = try UnixListener.listen(path: path, mode: 0o660, description: "metrics unix:\(path)")
            listenFD = fd
            socketInode = inode
        case .tcp(let host, let port):
            listenFD = try Self.listenTCP(host: host, port: port, description: address.description)
            socketInode = nil
        }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            _ = Glibc.close(listenFD)
            throw MetricsError("metrics \(address): cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        let thread = Thread { [self] in
            serve()
            finished.signal()
        }
        thread.name = "handmesh.metrics"
        thread.start()
    }

    /// Stops serving and removes the socket file (its own, not one that replaced it).
    public func stop() {
        lock.lock()
        let first = !stopped
        stopped = true
        lock.unlock()
        guard first else { return }
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)
        _ = finished.wait(timeout: .now() + 5)
        _ = Glibc.close(listenFD)
        _ = Glibc.close(wakeRead)
        _ = Glibc.close(wakeWrite)
        if case .unix(let path) = address, let socketInode {
            var info = stat()
            if lstat(path, &info) == 0, info.st_ino == socketInode { unlink(path) }
        }
    }

    private static func listenTCP(host: String, port: Int, description: String) throws -> Int32 {
        func fail(_ what: String, _ fd: Int32) -> MetricsError {
            let error = MetricsError("metrics \(description): \(what): \(String(cString: strerror(errno)))")
            if fd >= 0 { _ = Glibc.close(fd) }
            return error
        }
        let v6 = host.contains(":")
        let fd = socket(v6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw fail("cannot create a socket", -1) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound: Int32
        if v6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { throw fail("not an IPv6 address", fd) }
            bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw fail("not an IPv4 address", fd) }
            bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        guard bound == 0 else { throw fail("cannot bind", fd) }
        guard listen(fd, 16) == 0 else { throw fail("cannot listen", fd) }
        return fd
    }

    private func serve() {
        while true {
            var fds = [pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, -1)
            if fds[1].revents != 0 { return }
            guard fds[0].revents != 0 else { continue }
            let client = accept(listenFD, nil, nil)
            guard client >= 0 else { continue }
            answer(client)
            _ = Glibc.close(client)
        }
    }

    /// Reads the request head (a scraper sends no body) and writes one response.
    private func answer(_ client: Int32) {
        _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) & ~O_NONBLOCK)
        // A client that connects and says nothing must not hold the endpoint.
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        _ = setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while request.count < 16384 {
            let n = recv(client, &buffer, buffer.count, 0)
            guard n > 0 else { break }
            request += buffer[..<n]
            if request.count >= 4, request.suffix(4) == [13, 10, 13, 10] { break }
            if let text = String(bytes: request, encoding: .utf8), text.contains("\r\n\r\n") || text.contains("\n\n") { break }
        }
        let line = String(decoding: request.prefix { $0 != 13 && $0 != 10 }, as: UTF8.self)
        let parts = line.split(separator: " ")
        let response: (status: String, type: String, body: String)
        if parts.count < 2 {
            response = ("400 Bad Request", "text/plain", "bad request\n")
        } else if parts[0] != "GET" && parts[0] != "HEAD" {
            response = ("405 Method Not Allowed", "text/plain", "only GET\n")
        } else if parts[1] == "/metrics" || parts[1].hasPrefix("/metrics?") {
            response = ("200 OK", PrometheusText.contentType, render())
        } else {
            response = ("404 Not Found", "text/plain", "metrics are at /metrics\n")
        }
        let body = parts.first == "HEAD" ? "" : response.body
        let head = "HTTP/1.1 \(response.status)\r\nContent-Type: \(response.type)\r\nContent-Length: \(response.body.utf8.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array((head + body).utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            sent += n
        }
    }
}
