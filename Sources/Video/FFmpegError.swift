import CFFmpeg

/// FFmpeg's negative error codes, as text fit for a `VideoError` message.
enum FFmpegError {
    static let again = hm_averror_eagain()
    static let endOfFile = hm_averror_eof()
    static let invalidData = hm_averror_invaliddata()
    static let exit = hm_averror_exit()

    /// `av_strerror`'s text with a lower-case first letter, so it reads inside a sentence.
    static func text(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        if av_strerror(code, &buffer, buffer.count) < 0 {
            return "error \(code)"
        }
        let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let first = message.first else { return "error \(code)" }
        return first.lowercased() + message.dropFirst()
    }

    /// The errno behind an FFmpeg code, or nil when the code is one of FFmpeg's own tags.
    static func errno(_ code: Int32) -> Int32? {
        let value = hm_errno_from_averror(code)
        return value > 0 && value < 4096 ? value : nil
    }
}
