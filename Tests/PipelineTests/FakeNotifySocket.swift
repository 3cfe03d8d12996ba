import Foundation

/// Stands in for systemd's $NOTIFY_SOCKET: a datagram socket the test binds (an abstract name,
/// as systemd uses) and reads the service's messages from.
final class FakeNotifySocket {
    let fd: Int32
    /// The value for $NOTIFY_SOCKET.
    let name: String
    private(set) var messages: [String] = []

    init() throws {
        name = "@handmesh-test-notify-\(getpid())-\(UUID().uuidString.prefix(8))"
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(name.utf8)
        bytes[0] = 0
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard fd >= 0, bound == 0 else { throw TestFailure("cannot bind \(name): \(String(cString: strerror(errno)))") }
    }

    deinit {
        close(fd)
    }

    /// Gathers datagrams until one satisfies `condition` or `timeout` passes.
    func waitFor(timeout: Double, _ condition: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) == 1 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { continue }
            let message = String(decoding: buffer[..<n], as: UTF8.self)
            messages.append(message)
            if condition(message) { return message }
        }
        return nil
    }
}
