import Foundation

/// Binds a listening socket to a filesystem path so that the path never exists with a mode
/// other than the one asked for.
///
/// bind() creates the socket file under the process's umask, and chmod() can only follow; in
/// between (under umask 0) anyone may connect. umask itself is process-wide, and other threads
/// may be creating files at the time. So the socket is bound inside a private directory made
/// beside the target (mode 0700: nobody else can reach what is inside), given its mode there, and
/// then linked into place, which cannot replace a file that appeared meanwhile.
enum SocketBinding {
    static func bind(_ fd: Int32, to path: String, mode: mode_t, description: String) throws {
        func failure(_ what: String, _ error: Int32 = errno) -> SinkError {
            SinkError(sink: description, message: "\(what): \(String(cString: strerror(error)))")
        }
        let directory = (path as NSString).deletingLastPathComponent
        var template = Array("\(directory.isEmpty ? "." : directory)/.hm-XXXXXX".utf8CString)
        // The private name is longer than the target's when the target's own name is short.
        guard template.count + 2 <= MemoryLayout.size(ofValue: sockaddr_un().sun_path) else {
            return try bindUnderUmask(fd, to: path, mode: mode, description: description)
        }
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw failure("cannot bind (making a private directory beside the socket)") }
        let privateDirectory = String(cString: template)
        defer { rmdir(privateDirectory) }
        let temporary = privateDirectory + "/s"
        guard let address = UnixSocketAddress(temporary) else {
            throw SinkError(sink: description, message: "not a usable socket path (at most 107 bytes, not abstract)")
        }
        guard address.withSockaddr({ Glibc.bind(fd, $0, $1) }) == 0 else { throw failure("cannot bind") }
        defer { unlink(temporary) }
        // The mode is set before listen(): until then connects are refused, and until the link
        // below nobody but this user can reach the file anyway.
        guard chmod(temporary, mode) == 0 else {
            throw failure("cannot set mode \(String(mode, radix: 8))")
        }
        guard link(temporary, path) == 0 else {
            let error = errno
            throw failure(error == EEXIST ? "cannot bind (the path appeared meanwhile)" : "cannot bind", error)
        }
    }

    /// For a path too long for the private name: the umask narrowed around bind(). It is
    /// process-wide, but this runs while outputs open, before the pipelines' threads start.
    private static func bindUnderUmask(_ fd: Int32, to path: String, mode: mode_t, description: String) throws {
        guard let address = UnixSocketAddress(path) else {
            throw SinkError(sink: description, message: "not a usable socket path (at most 107 bytes, not abstract)")
        }
        let previous = umask(~mode & 0o777)
        let bound = address.withSockaddr { Glibc.bind(fd, $0, $1) }
        let error = errno
        umask(previous)
        guard bound == 0 else {
            throw SinkError(sink: description, message: "cannot bind: \(String(cString: strerror(error)))")
        }
        guard chmod(path, mode) == 0 else {
            let error = errno
            unlink(path)
            throw SinkError(sink: description, message: "cannot set mode \(String(mode, radix: 8)): \(String(cString: strerror(error)))")
        }
    }
}
