import CFFmpeg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard input as an AVIOContext whose reads wait in poll() and check the gate, so cancel can stop a source
/// blocked on a silent pipe (FFmpeg's own pipe: protocol blocks in read() where no interrupt reaches it).
final class StdinReader {
    /// A private duplicate, so closing the source leaves the process's stdin alone.
    private let fd: Int32
    private let gate: InterruptGate
    private(set) var context: UnsafeMutablePointer<AVIOContext>?
    private let bufferSize: Int32 = 1 << 16

    init(gate: InterruptGate, input: String) throws {
        self.gate = gate
        // Waiting on a terminal for a video that nobody will type is a hang, not an input.
        if isatty(STDIN_FILENO) != 0 {
            throw VideoError(input: input, message: "standard input is a terminal; pipe or redirect a video into it")
        }
        fd = dup(STDIN_FILENO)
        guard fd >= 0 else {
            throw VideoError(input: input, message: "cannot read standard input: \(String(cString: strerror(errno)))")
        }
        var status = stat()
        let seekable = fstat(fd, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
        guard let buffer = av_malloc(Int(bufferSize)) else {
            close(fd)
            throw VideoError(input: input, message: "out of memory for the stdin buffer")
        }
        let opaque = Unmanaged.passUnretained(self).toOpaque()
        // A redirected regular file can seek, which MP4s with the index at the end need; a pipe cannot.
        context = avio_alloc_context(
            buffer.assumingMemoryBound(to: UInt8.self), bufferSize, 0, opaque,
            { opaque, buffer, size in
                Unmanaged<StdinReader>.fromOpaque(opaque!).takeUnretainedValue().fill(buffer, size: size)
            },
            nil,
            seekable ? { opaque, offset, whence in
                Unmanaged<StdinReader>.fromOpaque(opaque!).takeUnretainedValue().seek(to: offset, whence: whence)
            } : nil)
        if context == nil {
            av_free(buffer)
            close(fd)
            throw VideoError(input: input, message: "out of memory for the stdin reader")
        }
    }

    deinit {
        if context != nil {
            // The demuxer may have replaced the buffer with a larger one; free whichever the context holds now.
            av_freep(&context!.pointee.buffer)
            avio_context_free(&context)
        }
        close(fd)
    }

    private func fill(_ buffer: UnsafeMutablePointer<UInt8>?, size: Int32) -> Int32 {
        guard let buffer, size > 0 else { return 0 }
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            if gate.shouldInterrupt() { return FFmpegError.exit }
            let ready = poll(&poller, 1, 100)
            if ready == 0 { continue }
            if ready < 0 {
                if errno == EINTR { continue }
                return hm_averror_from_errno(errno)
            }
            let count = read(fd, buffer, Int(size))
            if count > 0 { return Int32(count) }
            if count == 0 { return FFmpegError.endOfFile }
            if errno == EINTR || errno == EAGAIN { continue }
            return hm_averror_from_errno(errno)
        }
    }

    private func seek(to offset: Int64, whence: Int32) -> Int64 {
        if whence == hm_avseek_size() {
            var status = stat()
            return fstat(fd, &status) == 0 ? Int64(status.st_size) : -1
        }
        let result = lseek(fd, off_t(offset), whence & ~hm_avseek_size())
        return result < 0 ? Int64(hm_averror_from_errno(errno)) : Int64(result)
    }
}
