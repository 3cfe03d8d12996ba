import CFFmpeg

/// JPEG pictures through FFmpeg's MJPEG encoder, for the live view: one encoder kept open for
/// pictures of one size (RGB converted to full-range 4:2:0 by swscale into a frame it owns), so a
/// picture costs the conversion and the encoding, nothing set up again. Used from one thread.
public final class JPEGEncoder {
    public let width: Int
    public let height: Int
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private let scaler: OpaquePointer
    private let what: String

    /// `quality` is FFmpeg's qscale: 2 (best) to 31; 5 keeps a 720x720 frame near 60 KB.
    public init(width: Int, height: Int, quality: Int = 5) throws {
        self.width = width
        self.height = height
        what = "JPEG of \(width)x\(height)"
        guard width > 0, height > 0 else { throw VideoError(input: "JPEG of \(width)x\(height)", message: "empty picture") }
        guard let encoder = avcodec_find_encoder(AV_CODEC_ID_MJPEG) else {
            throw VideoError(input: what, message: "this FFmpeg has no MJPEG encoder")
        }
        guard let scaler = sws_getContext(Int32(width), Int32(height), AV_PIX_FMT_RGB24, Int32(width), Int32(height),
                                          AV_PIX_FMT_YUVJ420P, SWS_BILINEAR, nil, nil, nil) else {
            throw VideoError(input: what, message: "swscale cannot convert RGB to YUVJ420P")
        }
        self.scaler = scaler
        codec = avcodec_alloc_context3(encoder)
        frame = av_frame_alloc()
        packet = av_packet_alloc()
        guard let codec, let frame, packet != nil else { throw VideoError(input: what, message: "out of memory") }
        codec.pointee.width = Int32(width)
        codec.pointee.height = Int32(height)
        codec.pointee.pix_fmt = AV_PIX_FMT_YUVJ420P
        codec.pointee.time_base = AVRational(num: 1, den: 30)
        codec.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
        codec.pointee.global_quality = Int32(FF_QP2LAMBDA) * Int32(min(max(quality, 2), 31))
        var status = avcodec_open2(codec, encoder, nil)
        if status >= 0 {
            frame.pointee.format = AV_PIX_FMT_YUVJ420P.rawValue
            frame.pointee.width = Int32(width)
            frame.pointee.height = Int32(height)
            status = av_frame_get_buffer(frame, 0)
        }
        if status < 0 { throw VideoError(input: what, message: "cannot open the MJPEG encoder: \(FFmpegError.text(status))") }
    }

    deinit {
        avcodec_free_context(&codec)
        av_frame_free(&frame)
        av_packet_free(&packet)
        sws_freeContext(scaler)
    }

    /// Encodes `image` (this encoder's size) and hands the JPEG bytes to `body`, valid during the call.
    public func encode<R>(_ image: PixelBuffer, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard image.width == width, image.height == height else {
            throw VideoError(input: what, message: "picture is \(image.width)x\(image.height)")
        }
        guard let codec, let frame, let packet else { throw VideoError(input: what, message: "encoder closed") }
        func check(_ status: Int32, _ step: String) throws {
            if status < 0 { throw VideoError(input: what, message: "\(step): \(FFmpegError.text(status))") }
        }
        try check(av_frame_make_writable(frame), "frame not writable")
        image.withUnsafeBytes { raw in
            var source: [UnsafePointer<UInt8>?] = [raw.baseAddress!.assumingMemoryBound(to: UInt8.self), nil, nil, nil]
            var stride: [Int32] = [Int32(image.rowBytes), 0, 0, 0]
            withUnsafeMutablePointer(to: &frame.pointee.data) { data in
                withUnsafeMutablePointer(to: &frame.pointee.linesize) { lines in
                    data.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { d in
                        lines.withMemoryRebound(to: Int32.self, capacity: 8) { l in
                            _ = sws_scale(scaler, &source, &stride, 0, Int32(height), d, l)
                        }
                    }
                }
            }
        }
        try check(avcodec_send_frame(codec, frame), "encoding failed")
        try check(avcodec_receive_packet(codec, packet), "the encoder gave no picture")
        defer { av_packet_unref(packet) }
        return try body(UnsafeRawBufferPointer(start: packet.pointee.data, count: Int(packet.pointee.size)))
    }
}
