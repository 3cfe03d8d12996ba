import CFFmpeg
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An opened input: the AVFormatContext, its chosen video stream, and (for stdin) the custom reader feeding it.
final class Demuxer {
    private var context: UnsafeMutablePointer<AVFormatContext>?
    private let stdin: StdinReader?
    private let gate: InterruptGate
    let streamIndex: Int32
    let stream: UnsafeMutablePointer<AVStream>
    /// The container's name (mov,mp4,…; lavfi; v4l2), for the description.
    let formatName: String
    /// Whether the container knows how long the input is; a network URL that does is a remote file, not a stream.
    let hasDuration: Bool
    /// The input's size in bytes when its protocol knows it (a file, an HTTP reply with Content-Length);
    /// -1 for a stream without an end.
    let byteSize: Int64
    /// Where the video stream should end, in seconds, when the container itself says so (not an estimate from the
    /// bitrate or the last timestamps, which a truncated file would fool). Used to notice truncated files.
    let declaredEnd: Double?

    /// Devices and lavfi live in libavdevice, which must register them once per process; a static let runs once.
    private static let devicesRegistered: Void = { avdevice_register_all() }()

    init(spec: InputSpec, options: SourceOptions, gate: InterruptGate) throws {
        _ = Demuxer.devicesRegistered
        self.gate = gate
        let input = spec.text
        if spec.kind == .file { try Demuxer.checkFile(spec.location, input: input) }

        var format: UnsafePointer<AVInputFormat>? = nil
        switch spec.kind {
        case .lavfi: format = av_find_input_format("lavfi")
        case .camera: format = av_find_input_format("v4l2")
        case .imageSequence: format = av_find_input_format("image2")
        default: break
        }
        if (spec.kind == .lavfi || spec.kind == .camera) && format == nil {
            throw VideoError(input: input, message: "this FFmpeg was built without the \(spec.kind == .lavfi ? "lavfi" : "v4l2") input device")
        }

        guard var opened = avformat_alloc_context() else {
            throw VideoError(input: input, message: "out of memory for the format context")
        }
        opened.pointee.interrupt_callback = gate.callback()
        var reader: StdinReader? = nil
        if spec.kind == .stdin {
            do {
                reader = try StdinReader(gate: gate, input: input)
            } catch {
                avformat_free_context(opened)
                throw error
            }
            opened.pointee.pb = reader!.context
        }
        if spec.kind == .camera {
            // A blocking V4L2 dequeue cannot be interrupted; non-blocking reads let cancel and the deadline work.
            opened.pointee.flags |= hm_fmt_flag_nonblock()
        }
        stdin = reader

        let networked = spec.kind == .url || spec.kind == .camera
        gate.arm(timeout: networked ? options.openTimeout : nil)
        defer { gate.disarm() }
        var openedPointer: UnsafeMutablePointer<AVFormatContext>? = opened
        var dictionary: OpaquePointer? = nil
        for (name, value) in spec.deviceOptions.sorted(by: { $0.key < $1.key }) {
            av_dict_set(&dictionary, name, value, 0)
        }
        if spec.kind == .url {
            // The open deadline (openTimeout) covers connecting and probing; a server that accepts and then
            // says nothing must be noticed after readTimeout, as a silent stream is later. FFmpeg's rw_timeout
            // (µs) bounds each protocol read. Half a second more than readTimeout, so that once open the
            // gate's own read deadline (with its "no data" reason) fires first.
            av_dict_set(&dictionary, Demuxer.readTimeoutOption, String(Int((options.readTimeout + 0.5) * 1_000_000)), 0)
        }
        let status = avformat_open_input(&openedPointer, spec.location, format, &dictionary)
        // FFmpeg hands back the options nobody took; a misspelt camera option should not pass in silence.
        // rw_timeout is ours, and demuxers that open their own connections (rtsp) leave it.
        let unused = Demuxer.keys(of: dictionary).filter { $0 != Demuxer.readTimeoutOption }
        av_dict_free(&dictionary)
        if status >= 0, !unused.isEmpty {
            avformat_close_input(&openedPointer)
            throw VideoError(input: input, message: "unknown camera option\(unused.count == 1 ? "" : "s") \(unused.joined(separator: ", "))")
        }
        guard status >= 0, let openedContext = openedPointer else {
            // avformat_open_input frees the context on failure.
            throw VideoError(input: input, message: Demuxer.openFailure(status, spec: spec, gate: gate, options: options))
        }
        opened = openedContext
        context = opened

        do {
            try Demuxer.checkDeclaredSize(opened, input: input, options: options)
            try Demuxer.probe(opened, input: input, options: options, gate: gate, spec: spec)
            let index = av_find_best_stream(opened, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
            guard index >= 0 else {
                throw VideoError(input: input, message: "no video stream (\(Demuxer.streamSummary(opened)))")
            }
            streamIndex = index
            stream = opened.pointee.streams[Int(index)]!
            try Demuxer.checkDeclaredSize(opened, input: input, options: options)
            let parameters = stream.pointee.codecpar!
            let stored = spec.kind == .file || spec.kind == .imageSequence || spec.kind == .stdin
            if stored && (parameters.pointee.width == 0 || parameters.pointee.height == 0) {
                // The probe decodes the first picture to learn its size. A stored input whose first picture fails
                // that (damaged, or beyond max_pixels, which the decoder checks before allocating) is refused
                // here; a live stream may simply not have sent a keyframe yet.
                throw VideoError(input: input, message: "the first picture cannot be decoded, so its size is unknown (damaged, or larger than \(options.maxInputPixels / 1_000_000) Mpx)")
            }
        } catch {
            avformat_close_input(&context)
            throw error
        }
        // Packets of other streams would only be read to be thrown away.
        for i in 0..<Int(opened.pointee.nb_streams) where Int32(i) != streamIndex {
            opened.pointee.streams[i]!.pointee.discard = AVDISCARD_ALL
        }
        formatName = opened.pointee.iformat.map { String(cString: $0.pointee.name) } ?? "unknown"
        hasDuration = opened.pointee.duration != hm_av_nopts_value() && opened.pointee.duration > 0
        byteSize = opened.pointee.pb.map { avio_size($0) } ?? -1
        declaredEnd = Demuxer.declaredEnd(opened, stream: stream)
    }

    deinit {
        avformat_close_input(&context)
    }

    /// The next packet of any stream into `packet`; FFmpeg's status code.
    func read(into packet: UnsafeMutablePointer<AVPacket>) -> Int32 {
        av_read_frame(context, packet)
    }

    /// The parameters the video stream declares.
    var parameters: UnsafeMutablePointer<AVCodecParameters> { stream.pointee.codecpar }

    var timeBase: AVRational { stream.pointee.time_base }

    /// The size the video stream declares (the decoded size may change later).
    var declaredSize: (width: Int, height: Int) {
        (Int(stream.pointee.codecpar.pointee.width), Int(stream.pointee.codecpar.pointee.height))
    }

    /// Whether FFmpeg opened the input as one picture: its image2 demuxer, or one of the `*_pipe` demuxers
    /// that recognize an image by its content (png_pipe, jpeg_pipe, …).
    var isSingleImage: Bool { formatName == "image2" || formatName.hasSuffix("_pipe") }

    /// A timestamp in the video stream's time base as seconds, or nil when there is none.
    func seconds(_ stamp: Int64) -> Double? {
        let base = stream.pointee.time_base
        guard stamp != hm_av_nopts_value(), base.den != 0 else { return nil }
        return Double(stamp) * Double(base.num) / Double(base.den)
    }

    var frameRate: Double? {
        for rate in [stream.pointee.avg_frame_rate, stream.pointee.r_frame_rate] where rate.num > 0 && rate.den > 0 {
            let value = Double(rate.num) / Double(rate.den)
            // Some containers declare 90000 fps (their time base) when they do not know; that is no frame rate.
            if value > 0 && value <= 1000 { return value }
        }
        return nil
    }

    private static func declaredEnd(_ context: UnsafeMutablePointer<AVFormatContext>, stream: UnsafeMutablePointer<AVStream>) -> Double? {
        guard context.pointee.duration_estimation_method == AVFMT_DURATION_FROM_STREAM else { return nil }
        let none = hm_av_nopts_value()
        let timeBase = stream.pointee.time_base
        if stream.pointee.duration != none, stream.pointee.duration > 0, timeBase.den > 0 {
            let start = stream.pointee.start_time == none ? 0 : stream.pointee.start_time
            return Double(start + stream.pointee.duration) * Double(timeBase.num) / Double(timeBase.den)
        }
        // The container's overall duration is the video's only when nothing else (a longer audio track) shares it.
        guard context.pointee.nb_streams == 1, context.pointee.duration != none, context.pointee.duration > 0 else { return nil }
        let start = context.pointee.start_time == none ? 0 : context.pointee.start_time
        return Double(start + context.pointee.duration) / 1e6
    }

    // MARK: - Checks that run before FFmpeg allocates anything frame-sized

    /// A missing, empty or unreadable file is named as such, instead of as FFmpeg's generic "invalid data".
    private static func checkFile(_ path: String, input: String) throws {
        var status = stat()
        if stat(path, &status) != 0 {
            let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno)).lowercased()
            throw VideoError(input: input, message: reason)
        }
        switch status.st_mode & S_IFMT {
        case S_IFDIR: throw VideoError(input: input, message: "is a directory, not a video file")
        case S_IFREG:
            if status.st_size == 0 { throw VideoError(input: input, message: "file is empty (0 bytes)") }
        default: break
        }
        if access(path, R_OK) != 0 {
            throw VideoError(input: input, message: "not readable (\(String(cString: strerror(errno)).lowercased()))")
        }
    }

    private static func checkDeclaredSize(_ context: UnsafeMutablePointer<AVFormatContext>, input: String, options: SourceOptions) throws {
        for i in 0..<Int(context.pointee.nb_streams) {
            let parameters = context.pointee.streams[i]!.pointee.codecpar!
            guard parameters.pointee.codec_type == AVMEDIA_TYPE_VIDEO else { continue }
            if let problem = sizeProblem(width: Int(parameters.pointee.width), height: Int(parameters.pointee.height), options: options) {
                throw VideoError(input: input, message: problem)
            }
        }
    }

    /// Why a frame size is refused, or nil when it is acceptable.
    static func sizeProblem(width: Int, height: Int, options: SourceOptions) -> String? {
        if width < 0 || height < 0 {
            return "invalid frame size \(width)x\(height)"
        }
        if width > options.maxInputSide || height > options.maxInputSide {
            return "frame size \(width)x\(height) exceeds the limit of \(options.maxInputSide) pixels a side"
        }
        if width * height > options.maxInputPixels {
            return "frame size \(width)x\(height) (\(width * height / 1_000_000) Mpx) exceeds the limit of \(options.maxInputPixels / 1_000_000) Mpx"
        }
        return nil
    }

    /// avformat_find_stream_info decodes a few frames to learn the size; its decoders get the pixel cap too, so an
    /// absurd size is refused by the decoder's own check instead of being allocated.
    private static func probe(_ context: UnsafeMutablePointer<AVFormatContext>, input: String, options: SourceOptions,
                              gate: InterruptGate, spec: InputSpec) throws {
        let count = Int(context.pointee.nb_streams)
        var dictionaries = [OpaquePointer?](repeating: nil, count: max(count, 1))
        let limit = String(options.maxInputPixels)
        let status = dictionaries.withUnsafeMutableBufferPointer { buffer in
            for i in 0..<count { av_dict_set(&buffer[i], "max_pixels", limit, 0) }
            defer { for i in 0..<buffer.count { av_dict_free(&buffer[i]) } }
            return avformat_find_stream_info(context, buffer.baseAddress)
        }
        if status < 0 {
            throw VideoError(input: input, message: openFailure(status, spec: spec, gate: gate, options: options, stage: "cannot read stream information"))
        }
    }

    private static func openFailure(_ status: Int32, spec: InputSpec, gate: InterruptGate, options: SourceOptions,
                                    stage: String = "cannot open") -> String {
        if status == FFmpegError.exit {
            if gate.isCancelled { return "\(stage): cancelled" }
            if gate.didExpire { return "\(stage): no answer within \(formatSeconds(options.openTimeout)) s" }
        }
        let storedInput = spec.kind == .file || spec.kind == .stdin || spec.kind == .imageSequence
        if status == FFmpegError.endOfFile && storedInput {
            return "\(stage): the input ends before its header does (truncated, or not a video)"
        }
        if status == FFmpegError.invalidData {
            switch spec.kind {
            case .file, .stdin: return "not a video or image FFmpeg can read (invalid data found when processing input)"
            case .imageSequence: return "the image sequence cannot be read (invalid data found when processing input)"
            default: break
            }
        }
        if let code = FFmpegError.errno(status) {
            switch (code, spec.kind) {
            case (ENOENT, .imageSequence):
                return "no file matches the pattern \(spec.location) (tried the first numbers from 0 to 4)"
            case (ENOENT, .camera): return "no such device"
            case (ECONNREFUSED, .url): return "connection refused"
            case (ETIMEDOUT, .url): return "\(stage): no data for \(formatSeconds(options.readTimeout)) s"
            case (ENOMEM, .file), (ENOMEM, .stdin):
                // A damaged length field asks for gigabytes; FFmpeg reports that as an allocation failure.
                return "\(stage): the header asks for more memory than can be allocated (damaged?)"
            default: break
            }
        }
        return "\(stage): \(FFmpegError.text(status))"
    }

    /// FFmpeg's per-read timeout for URL protocols, in microseconds.
    static let readTimeoutOption = "rw_timeout"

    private static func keys(of dictionary: OpaquePointer?) -> [String] {
        var keys: [String] = []
        var entry: UnsafeMutablePointer<AVDictionaryEntry>? = nil
        while let next = av_dict_get(dictionary, "", entry, AV_DICT_IGNORE_SUFFIX) {
            keys.append(String(cString: next.pointee.key))
            entry = next
        }
        return keys
    }

    private static func streamSummary(_ context: UnsafeMutablePointer<AVFormatContext>) -> String {
        let count = Int(context.pointee.nb_streams)
        if count == 0 { return "the input has no streams" }
        let kinds = (0..<count).map { i -> String in
            let type = context.pointee.streams[i]!.pointee.codecpar.pointee.codec_type
            return av_get_media_type_string(type).map { String(cString: $0) } ?? "unknown"
        }
        return "found: " + kinds.joined(separator: ", ")
    }
}
