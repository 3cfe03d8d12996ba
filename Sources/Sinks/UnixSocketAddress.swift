import Foundation

/// A `sockaddr_un` for a filesystem path, or an abstract name written with a leading `@`
/// (systemd's notation), built without leaking pointers out of this file.
struct UnixSocketAddress {
    private var storage = sockaddr_un()
    let length: socklen_t

    init?(_ path: String) {
        storage.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") {
            bytes[0] = 0
        }
        let capacity = MemoryLayout.size(ofValue: storage.sun_path)
        // A filesystem path needs room for its terminating NUL; an abstract name does not.
        guard !bytes.isEmpty, bytes.count < capacity || (bytes[0] == 0 && bytes.count <= capacity) else {
            return nil
        }
        withUnsafeMutableBytes(of: &storage.sun_path) { raw in
            raw.copyBytes(from: bytes)
        }
        length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes[0] == 0 ? 0 : 1))
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafePointer(to: storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
