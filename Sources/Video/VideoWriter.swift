import CFFmpeg

/// Encodes packed RGB24 pictures into a video file (overlays, synthetic clips): H.264 through libx264 when this
/// FFmpeg has it, MPEG-4 part 2 otherwise; the container follows the file's extension (.mp4, .mkv, .avi, …).
///
/// Frames get consecutive timestamps at `fps`. Call `finish()` to flush the encoder and write the index; a writer
/// released without it finishes on its own, so a file is never left without its trailer.
public final class VideoWriter {
    public let path: String
    /// The encoded size: the requested size rounded down to even numbers, which 4:2:0 chroma needs.
    public let width: Int
    public let height: Int
    public let fps: Double
    /// The encoder in use: "libx264" or "mpeg4".
    public let codecName: String
    public private(set) var framesWritten = 0

    private var format: UnsafeMutablePointer<AVFormatContext>?
    private var codec: UnsafeMutablePointer<AVCodecContext>?
    private var frame: UnsafeMutablePointer<AVFrame>?
    private var packet: UnsafeMutablePointer<AVPacket>?
    private var scaler: OpaquePointer?
    private let stream: UnsafeMutablePointer<AVStream>
    private let inputWidth: Int
    private let inputHeight: Int
    private var finished = false
    /// A trailer may only follow a header; a writer that failed while opening closes without one.
    private var headerWritten = false

    public init(path: String, width: Int, height: Int, fps: Double) throws {
        self.path = path
        self.fps = fps
        inputWidth = width
        inputHeight = height
        self.width = width & ~1
        self.height = height & ~1
        guard self.width >= 2, self.height >= 2, width <= 16384, height <= 16384 else {
            throw VideoError(input: path, message: "cannot encode a \(width)x\(height) video; each side must be 2 to 16384 pixels")
        }
        guard fps.isFinite, fps > 0, fps <= 1000 else {
            throw VideoError(input: path, message: "cannot encode at \(fps) frames a second; give 0 < fps <= 1000")
        }
        var context: UnsafeMutablePointer<AVFormatContext>? = nil
        guard avformat_alloc_output_context2(&context, nil, nil, path) >= 0, let context else {
            throw VideoError(input: path, message: "no container format for this file name; use .mp4, .mkv or .avi")
        }
        format = context
        // h264_nvenc, _vaapi and friends also claim H.264 but need hardware; only the software encoder is dependable.
        let encoder = avcodec_find_encoder_by_name("libx264") ?? avcodec_find_encoder(AV_CODEC_ID_MPEG4)
        guard let encoder else {
            avformat_free_context(context)
            throw VideoError(input: path, message: "this FFmpeg has neither an H.264 nor an MPEG-4 encoder")
        }
        codecName = String(cString: encoder.pointee.name)
        guard let newStream = avformat_new_stream(context, nil), let codec = avcodec_alloc_context3(encoder),
              let frame = av_frame_alloc(), let packet = av_packet_alloc() else {
            avformat_free_context(context)
            throw VideoError(input: path, message: "out of memory for the \(codecName) encoder")
        }
        stream = newStream
        self.codec = codec
        self.frame = frame
        self.packet = packet
        try configure(encoder)
    }

    private func configure(_ encoder: UnsafePointer<AVCodec>) throws {
        guard let format, let codec, let frame else { return }
        let rate = av_d2q(fps, 1_000_000)
        codec.pointee.width = Int32(width)
        codec.pointee.height = Int32(height)
        codec.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        codec.pointee.time_base = AVRational(num: rate.den, den: rate.num)
        codec.pointee.framerate = rate
        codec.pointee.gop_size = Int32(max(1, min(300, Int(fps.rounded()) * 2)))
        if codecName == "libx264" {
            // Overlays are for looking at: near-transparent quality at a speed that keeps up with the pipeline.
            av_opt_set(codec.pointee.priv_data, "preset", "veryfast", 0)
            av_opt_set(codec.pointee.priv_data, "crf", "20", 0)
        } else {
            codec.pointee.flags |= AV_CODEC_FLAG_QSCALE
            codec.pointee.global_quality = FF_QP2LAMBDA * 3
        }
        if format.pointee.oformat.pointee.flags & hm_fmt_globalheader() != 0 {
            codec.pointee.flags |= hm_codec_flag_global_header()
        }
        try check(avcodec_open2(codec, encoder, nil), "cannot open the \(codecName) encoder")
        try check(avcodec_parameters_from_context(stream.pointee.codecpar, codec), "cannot configure the video stream")
        stream.pointee.time_base = codec.pointee.time_base
        stream.pointee.avg_frame_rate = rate

        frame.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        frame.pointee.width = Int32(width)
        frame.pointee.height = Int32(height)
        try check(av_frame_get_buffer(frame, 0), "cannot allocate the encoder's picture")

        if format.pointee.oformat.pointee.flags & hm_fmt_nofile() == 0 {
            try check(avio_open(&format.pointee.pb, path, hm_avio_flag_write()), "cannot create the file")
        }
        try check(avformat_write_header(format, nil), "cannot write the \(String(cString: format.pointee.oformat.pointee.name)) header")
        headerWritten = true
        // The whole input is converted at once; an odd last column or row is cropped off rather than resampled.
        scaler = sws_getContext(Int32(width), Int32(height), AV_PIX_FMT_RGB24, Int32(width), Int32(height), AV_PIX_FMT_YUV420P,
                                hm_sws_bilinear(), nil, nil, nil)
        guard scaler != nil else { throw VideoError(input: path, message: "cannot set up RGB to YUV conversion") }
    }

    deinit {
        if headerWritten && !finished { try? finish() }
        sws_freeContext(scaler)
        avcodec_free_context(&codec)
        av_frame_free(&frame)
        av_packet_free(&packet)
        if let format {
            if format.pointee.oformat.pointee.flags & hm_fmt_nofile() == 0 { avio_closep(&format.pointee.pb) }
            avformat_free_context(format)
        }
    }

    /// Encodes one picture: `height` rows of packed RGB24, `rowBytes` apart, of the size given at init.
    public func write(rgb: UnsafeRawBufferPointer, rowBytes: Int) throws {
        guard !finished else { throw VideoError(input: path, message: "write after finish") }
        guard rowBytes >= 3 * inputWidth, let base = rgb.baseAddress, rgb.count >= rowBytes * (inputHeight - 1) + 3 * inputWidth else {
            throw VideoError(input: path, message: "picture buffer of \(rgb.count) bytes with rows of \(rowBytes) bytes is too small for \(inputWidth)x\(inputHeight) RGB")
        }
        guard let frame, let codec else { return }
        // The encoder may still hold the previous picture; this copies only in that case.
        try check(av_frame_make_writable(frame), "cannot reuse the encoder's picture")
        var source: (UnsafePointer<UInt8>?, UnsafePointer<UInt8>?, UnsafePointer<UInt8>?, UnsafePointer<UInt8>?) =
            (base.assumingMemoryBound(to: UInt8.self), nil, nil, nil)
        var sourceStrides: (Int32, Int32, Int32, Int32) = (Int32(rowBytes), 0, 0, 0)
        withUnsafePointer(to: &source) { source in
            source.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 4) { source in
                withUnsafePointer(to: &sourceStrides) { strides in
                    strides.withMemoryRebound(to: Int32.self, capacity: 4) { strides in
                        withUnsafePointer(to: &frame.pointee.data) { planes in
                            planes.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { planes in
                                withUnsafePointer(to: &frame.pointee.linesize) { lines in
                                    lines.withMemoryRebound(to: Int32.self, capacity: 8) { lines in
                                        _ = sws_scale(scaler, source, strides, 0, Int32(height), planes, lines)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        frame.pointee.pts = Int64(framesWritten)
        try check(avcodec_send_frame(codec, frame), "encoding frame \(framesWritten) failed")
        framesWritten += 1
        try drainPackets()
    }

    /// Encodes a decoded or rendered frame of the size given at init.
    public func write(_ pixels: PixelBuffer) throws {
        guard pixels.width == inputWidth, pixels.height == inputHeight else {
            throw VideoError(input: path, message: "picture is \(pixels.width)x\(pixels.height), the video \(inputWidth)x\(inputHeight)")
        }
        try pixels.withUnsafeBytes { try write(rgb: $0, rowBytes: pixels.rowBytes) }
    }

    /// Flushes the encoder, writes the container's trailer and closes the file. Later writes throw.
    public func finish() throws {
        guard !finished else { return }
        finished = true
        guard headerWritten, let codec, let format else { return }
        try check(avcodec_send_frame(codec, nil), "flushing the encoder failed")
        try drainPackets()
        try check(av_write_trailer(format), "cannot write the trailer")
        if format.pointee.oformat.pointee.flags & hm_fmt_nofile() == 0 {
            try check(avio_closep(&format.pointee.pb), "cannot close the file")
        }
    }

    private func drainPackets() throws {
        guard let codec, let packet, let format else { return }
        while true {
            let status = avcodec_receive_packet(codec, packet)
            if status == FFmpegError.again || status == FFmpegError.endOfFile { return }
            try check(status, "encoding failed")
            av_packet_rescale_ts(packet, codec.pointee.time_base, stream.pointee.time_base)
            packet.pointee.stream_index = stream.pointee.index
            // av_interleaved_write_frame takes the packet's data and leaves it blank for the next one.
            try check(av_interleaved_write_frame(format, packet), "cannot write to the file")
        }
    }

    private func check(_ status: Int32, _ what: String) throws {
        if status < 0 { throw VideoError(input: path, message: "\(what): \(FFmpegError.text(status))") }
    }
}
