import CFFmpeg

/// The video stream's decoder, with the one AVPacket and one AVFrame it reuses for every frame.
final class Decoder {
    private var context: UnsafeMutablePointer<AVCodecContext>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    /// The last damaged packet, until the next read tells whether the file was cut off in it.
    private var held: UnsafeMutablePointer<AVPacket>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    let codecName: String

    /// What became of one packet read from the demuxer.
    enum Feed {
        case sent
        /// A packet of another stream, thrown away.
        case otherStream
        /// The demuxer flagged the packet as damaged (cut short, checksum failed); it was not decoded, but kept
        /// until the next read (see `sendHeld`).
        case damaged(pts: Int64)
        case rejected(pts: Int64, status: Int32)
        /// Nothing was read; FFmpeg's status (end of file, "again", an error).
        case readFailed(Int32)
    }

    /// The picture `receive()` produced, as plain values.
    struct Picture {
        let width: Int
        let height: Int
        let pixelFormat: Int32
        /// Best-effort timestamp in stream time base units, or AV_NOPTS_VALUE.
        let timestamp: Int64
        /// The decoder concealed errors in it or flagged it corrupt.
        let concealed: Bool
    }

    init(demuxer: Demuxer, live: Bool, options: SourceOptions, input: String) throws {
        let parameters = demuxer.parameters
        guard let codec = avcodec_find_decoder(parameters.pointee.codec_id) else {
            throw VideoError(input: input, message: "unsupported codec \(Decoder.codecLabel(parameters)): this FFmpeg has no decoder for it")
        }
        codecName = String(cString: codec.pointee.name)
        context = avcodec_alloc_context3(codec)
        packet = av_packet_alloc()
        held = av_packet_alloc()
        frame = av_frame_alloc()
        guard let context, packet != nil, held != nil, frame != nil else {
            throw VideoError(input: input, message: "out of memory for the \(codecName) decoder")
        }
        var status = avcodec_parameters_to_context(context, parameters)
        if status >= 0 {
            context.pointee.pkt_timebase = demuxer.timeBase
            context.pointee.max_pixels = Int64(options.maxInputPixels)
            context.pointee.thread_count = Int32(max(0, options.decoderThreads))
            // Frame threads add one frame of latency per thread; a live source wants slices instead.
            context.pointee.thread_type = live ? hm_thread_slice() : hm_thread_frame() | hm_thread_slice()
            if live { context.pointee.flags |= hm_codec_flag_low_delay() }
            status = avcodec_open2(context, codec, nil)
        }
        if status < 0 {
            throw VideoError(input: input, message: "cannot open the \(codecName) decoder: \(FFmpegError.text(status))")
        }
        // swscale turns only the formats it knows into RGB. The rest is unsupported input, refused here once,
        // not every frame skipped as if damaged. A decoder that learns its format from the first picture
        // (AV_PIX_FMT_NONE here) is checked frame by frame instead.
        let format = context.pointee.pix_fmt
        if format != AV_PIX_FMT_NONE, sws_isSupportedInput(format) == 0 {
            throw VideoError(input: input, message: "unsupported pixel format \(Decoder.pixelFormatName(format.rawValue)): it cannot be converted to RGB")
        }
    }

    deinit {
        avcodec_free_context(&context)
        av_packet_free(&packet)
        av_packet_free(&held)
        av_frame_free(&frame)
    }

    /// Reads the next packet and, when it belongs to the video stream and is intact, sends it to the decoder.
    func feed(from demuxer: Demuxer) -> Feed {
        guard let packet else { return .readFailed(FFmpegError.endOfFile) }
        let status = demuxer.read(into: packet)
        guard status >= 0 else { return .readFailed(status) }
        defer { av_packet_unref(packet) }
        guard packet.pointee.stream_index == demuxer.streamIndex else { return .otherStream }
        let pts = packet.pointee.pts
        if packet.pointee.flags & hm_pkt_flag_corrupt() != 0 {
            av_packet_unref(held)
            av_packet_ref(held, packet)
            return .damaged(pts: pts)
        }
        let sent = avcodec_send_packet(context, packet)
        // After receive() has said "again", the decoder must accept input; "again" here would be FFmpeg's bug.
        return sent < 0 && sent != FFmpegError.again ? .rejected(pts: pts, status: sent) : .sent
    }

    /// Decodes the damaged packet `feed` kept last. At the end of a truncated file that packet is the cut-off
    /// last picture, which FFmpeg decodes as far as it goes, as `ffprobe -count_frames` does; in the middle of
    /// a file a damaged packet is skipped instead, so that one bad packet does not smear the pictures after it.
    func sendHeld() {
        guard let held, held.pointee.size > 0 else { return }
        _ = avcodec_send_packet(context, held)
        av_packet_unref(held)
    }

    /// Tells the decoder the input has ended, so receive() hands out what it still holds and then end of file.
    func flush() {
        _ = avcodec_send_packet(context, nil)
    }

    /// Decodes the next picture; 0 when one is ready (see `picture`), or FFmpeg's status.
    func receive() -> Int32 {
        avcodec_receive_frame(context, frame)
    }

    var picture: Picture {
        guard let frame else { return Picture(width: 0, height: 0, pixelFormat: -1, timestamp: hm_av_nopts_value(), concealed: false) }
        var stamp = frame.pointee.best_effort_timestamp
        if stamp == hm_av_nopts_value() { stamp = frame.pointee.pts }
        return Picture(width: Int(frame.pointee.width), height: Int(frame.pointee.height), pixelFormat: frame.pointee.format,
                       timestamp: stamp,
                       concealed: frame.pointee.flags & hm_frame_flag_corrupt() != 0 || frame.pointee.decode_error_flags != 0)
    }

    /// Converts the received picture into `buffer`.
    func convert(with scaler: Scaler, into buffer: PixelBuffer) -> Bool {
        guard let frame else { return false }
        return scaler.convert(frame, into: buffer)
    }

    /// Lets the decoder reuse the received picture's memory.
    func releasePicture() {
        av_frame_unref(frame)
    }

    var pixelFormatName: String {
        guard let context else { return "unknown" }
        return Decoder.pixelFormatName(context.pointee.pix_fmt.rawValue)
    }

    static func pixelFormatName(_ format: Int32) -> String {
        av_get_pix_fmt_name(AVPixelFormat(rawValue: format)).map { String(cString: $0) } ?? "unknown"
    }

    /// The codec's name, or its container tag when FFmpeg does not know the codec at all.
    static func codecLabel(_ parameters: UnsafeMutablePointer<AVCodecParameters>) -> String {
        let id = parameters.pointee.codec_id
        if id != AV_CODEC_ID_NONE, let name = avcodec_get_name(id) {
            return "'\(String(cString: name))'"
        }
        let tag = parameters.pointee.codec_tag
        guard tag != 0 else { return "(unknown)" }
        let bytes = (0..<4).map { UInt8((tag >> (8 * UInt32($0))) & 0xFF) }
        let printable = bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        return printable ? "with tag '\(String(decoding: bytes, as: UTF8.self))'" : "with tag 0x\(String(tag, radix: 16))"
    }
}
