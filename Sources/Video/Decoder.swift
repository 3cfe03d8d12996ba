import CFFmpeg

/// The video stream's decoder, with the one AVPacket and one AVFrame it reuses for every frame.
final class Decoder {
    private var context: UnsafeMutablePointer<AVCodecContext>?
    private(set) var packet: UnsafeMutablePointer<AVPacket>
    private(set) var frame: UnsafeMutablePointer<AVFrame>
    let codecName: String

    init(parameters: UnsafeMutablePointer<AVCodecParameters>, timeBase: AVRational, live: Bool,
         options: SourceOptions, input: String) throws {
        let id = parameters.pointee.codec_id
        guard let codec = avcodec_find_decoder(id) else {
            throw VideoError(input: input, message: "unsupported codec \(Decoder.codecLabel(parameters)): this FFmpeg has no decoder for it")
        }
        codecName = String(cString: codec.pointee.name)
        guard let context = avcodec_alloc_context3(codec), let packet = av_packet_alloc(), let frame = av_frame_alloc() else {
            throw VideoError(input: input, message: "out of memory for the \(codecName) decoder")
        }
        self.context = context
        self.packet = packet
        self.frame = frame
        var status = avcodec_parameters_to_context(context, parameters)
        if status >= 0 {
            context.pointee.pkt_timebase = timeBase
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
    }

    deinit {
        avcodec_free_context(&context)
        var packet: UnsafeMutablePointer<AVPacket>? = self.packet
        av_packet_free(&packet)
        var frame: UnsafeMutablePointer<AVFrame>? = self.frame
        av_frame_free(&frame)
    }

    /// Sends `packet` (or, with nil, the end-of-stream flush).
    func send(_ packet: UnsafeMutablePointer<AVPacket>?) -> Int32 {
        avcodec_send_packet(context, packet)
    }

    /// Receives the next decoded picture into `frame`.
    func receive() -> Int32 {
        avcodec_receive_frame(context, frame)
    }

    var pixelFormatName: String {
        guard let context, let name = av_get_pix_fmt_name(context.pointee.pix_fmt) else { return "unknown" }
        return String(cString: name)
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
