import Foundation

/// A listening, non-blocking stream socket at a filesystem path, with its mode from the moment
/// it exists; shared by the record socket server and the metrics endpoint.
public enum UnixListener {
    /// Returns the descriptor and the inode of the socket file, so that its owner later removes
    /// only its own file. A stale socket (nobody listening) is replaced; anything else is refused.
    public static func listen(path: String, mode: mode_t, description: String) throws -> (fd: Int32, inode: ino_t) {
        guard let address = UnixSocketAddress(path), !path.hasPrefix("@") else {
            throw SinkError(sink: description, message: "not a usable socket path (at most 107 bytes, not abstract)")
        }
        try removeStaleSocket(at: path, address: address, description: description)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else {
            throw SinkError(sink: description, message: "cannot create a socket: \(String(cString: strerror(errno)))")
        }
        do {
            try SocketBinding.bind(fd, to: path, mode: mode, description: description)
        } catch {
            _ = Glibc.close(fd)
            throw error
        }
        var info = stat()
        guard lstat(path, &info) == 0, Glibc.listen(fd, 64) == 0 else {
            let error = SinkError(sink: description, message: "cannot listen: \(String(cString: strerror(errno)))")
            _ = Glibc.close(fd)
            unlink(path)
            throw error
        }
        return (fd, info.st_ino)
    }

    /// Removes a socket file left by a server that is gone; refuses to touch anything else.
    private static func removeStaleSocket(at path: String, address: UnixSocketAddress, description: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw SinkError(sink: description, message: "cannot inspect the path: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw SinkError(sink: description, message: "the path exists and is not a socket; not replacing it")
        }
        let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard probe >= 0 else {
            throw SinkError(sink: description, message: "cannot create a socket: \(String(cString: strerror(errno)))")
        }
        defer { _ = Glibc.close(probe) }
        if address.withSockaddr({ connect(probe, $0, $1) }) == 0 {
            throw SinkError(sink: description, message: "another server is listening on this socket")
        }
        // Only "nobody listens" proves the file stale; any other failure leaves it alone.
        guard errno == ECONNREFUSED else {
            throw SinkError(sink: description, message: "cannot tell whether the socket is in use: \(String(cString: strerror(errno)))")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw SinkError(sink: description, message: "cannot remove the stale socket: \(String(cString: strerror(errno)))")
        }
    }

}
