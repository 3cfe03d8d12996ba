/// Reads one input and reports its frames, damage, losses and reconnects, one event per `next()`.
///
/// Files, image sequences, stdin and lavfi graphs are read losslessly: `next()` returns when the consumer asks, so a
/// slow consumer slows the reader. Network URLs and cameras are live (`isLive`): after a loss they reconnect with
/// backoff. A source is used from one queue at a time; only `cancel()` may be called from anywhere. It is
/// `@unchecked Sendable` so the pipeline can hand it to its decode queue and keep a reference for `cancel()`.
public final class VideoSource: @unchecked Sendable, CustomStringConvertible {
    public let spec: InputSpec
    public let options: SourceOptions
    /// Codec, size, pixel format, frame rate and container, for the header record.
    public private(set) var description: String = ""
    /// Frames a second as the stream declares it; nil when it does not.
    public private(set) var frameRate: Double?
    /// Where a file's video ends, seconds, when the container says; nil for live sources.
    public private(set) var duration: Double?
    /// Whether the pipeline should drop frames at its entrance rather than apply backpressure: cameras and network
    /// streams, and any input paced with `SourceOptions.realtime`. A URL that turns out to be a remote file (it has
    /// a duration) is not live.
    public let isLive: Bool
    /// The size of delivered frames (after the `maxDimension` cap) when the source opened.
    public private(set) var width = 0
    public private(set) var height = 0
    /// Frames delivered so far; the next frame's index.
    public private(set) var framesDelivered = 0
    /// Damaged packets and frames skipped or concealed so far.
    public private(set) var corruptPackets = 0
    /// Successful reconnects so far.
    public private(set) var reconnects = 0
    /// For still-image inputs (a single image, a folder, a manifest, or a file FFmpeg reads as one image), how
    /// many photos there are; nil for video. Each photo is decoded at its own size and its frames carry `still`.
    public private(set) var stillImageCount: Int?
    /// The picture size the input declares, before the `maxDimension` cap.
    private(set) var inputSize = (width: 0, height: 0)

    private let gate: InterruptGate
    private var demuxer: Demuxer?
    private var decoder: Decoder?
    private let scaler = Scaler()
    private let pool = FramePool()
    /// The photos of a still-image input, read one at a time in place of a demuxer.
    private let photos: PhotoSequence?
    /// A file FFmpeg opened as a single image: its frame names it.
    private var singleImage: StillImage?
    /// Whether a loss or an end of stream leads to reconnect attempts.
    private let reconnectable: Bool

    private enum Ending { case endOfInput, lost(String) }
    private enum Phase { case streaming, draining(Ending), drained(Ending), reconnecting(String), closed }
    private var phase = Phase.streaming

    private var pendingFrame: Frame?
    private var pendingCorrupt = 0
    private var pendingDetail = ""
    private var consecutiveReadErrors = 0
    private var lastDataTime = 0.0
    private var lastPts: Double?
    private var packetCount = 0
    private var paceAnchor: (wall: Double, pts: Double)?
    private var truncationChecked = false
    /// A damaged packet not yet counted: skipped when more packets follow, decoded as the cut-off last
    /// picture when the file ends after it. Either way it counts once.
    private var heldDamage: String?
    /// The cut-off last picture comes out concealed; its damage was counted with its packet.
    private var partialPictureCounted = false

    /// Opens the input and its decoder. Throws a `VideoError` naming the input when it cannot be read at all.
    /// Pass a `canceller` made beforehand to be able to abandon the open itself (a network connect can take up to
    /// `openTimeout`); cancelled while opening, the init throws "cancelled".
    public init(_ spec: InputSpec, options: SourceOptions = SourceOptions(), canceller: SourceCanceller = SourceCanceller()) throws {
        self.spec = spec
        self.options = options
        gate = canceller.gate
        if spec.isStillImages {
            let list: [StillImage]
            do {
                switch spec.kind {
                case .folder: list = try PhotoFolder.list(spec.location)
                case .manifest: list = try PhotoManifest.load(path: spec.location)
                default: list = [StillImage(path: spec.location)]
                }
            } catch {
                // The folder or manifest is named as the user wrote it.
                throw VideoError(input: spec.text, message: error.message)
            }
            let sequence = try PhotoSequence(photos: list, options: options, gate: gate, mustReadFirst: spec.kind == .image)
            photos = sequence
            reconnectable = false
            // Photos are files: read losslessly, never paced.
            isLive = false
            stillImageCount = list.count
            width = sequence.first?.width ?? 0
            height = sequence.first?.height ?? 0
            let count = list.count == 1 ? "1 still image" : "\(list.count) still images"
            let origin = spec.kind == .folder ? " from a folder" : spec.kind == .manifest ? " from a manifest" : ""
            let first = list.count == 1 ? ": " : "; the first: "
            description = count + origin + (sequence.first.map { first + $0.description } ?? "")
            return
        }
        photos = nil
        let demuxer = try Demuxer(spec: spec, options: options, gate: gate)
        // Finite or live is told by what FFmpeg reports, not by the container: a URL of a streaming protocol is
        // live; any other URL (http, https, ftp…) is a file when it has a duration or a known size (an HTTP
        // reply with Content-Length; a live HTTP stream is chunked, without one). `live` in the config overrides.
        let streamingProtocol = ["rtsp", "rtsps", "udp", "rtp", "srt", "tcp"].contains(spec.scheme ?? "")
        let remoteFile = spec.kind == .url
            && !(options.live ?? (streamingProtocol || !(demuxer.hasDuration || demuxer.byteSize > 0)))
        reconnectable = spec.canReconnect && !remoteFile
        isLive = options.realtime || (options.live ?? (spec.isLive && !remoteFile))
        try attach(demuxer)
        if spec.kind == .file, demuxer.isSingleImage {
            stillImageCount = 1
            singleImage = StillImage(path: spec.location)
        }
    }

    /// Blocks until the next event. After `.end`, every call returns `.end`.
    public func next() -> SourceEvent {
        if let photos {
            let event = photos.next()
            framesDelivered = photos.delivered
            if case .corrupt(let packets, _) = event { corruptPackets += packets }
            return event
        }
        if let frame = pendingFrame {
            pendingFrame = nil
            return .frame(frame)
        }
        while true {
            switch phase {
            case .closed:
                return .end
            case .reconnecting(let reason):
                return reconnect(after: reason)
            case .drained(let ending):
                if case .endOfInput = ending, !reconnectable, !truncationChecked {
                    truncationChecked = true
                    checkTruncation()
                }
                if pendingCorrupt > 0 { return takeCorrupt() }
                return conclude(ending)
            case .streaming, .draining:
                if gate.isCancelled { return close() }
                if let frame = step() {
                    if pendingCorrupt > 0 {
                        pendingFrame = frame
                        return takeCorrupt()
                    }
                    return .frame(frame)
                }
                // A long run of damage is reported in installments so the consumer hears of it while it lasts.
                if pendingCorrupt >= 100 { return takeCorrupt() }
            }
        }
    }

    /// Makes a blocked or later `next()` return `.end` soon (within about 100 ms). Safe from any thread.
    public func cancel() { gate.cancel() }

    /// A handle that cancels this source, for signal handlers and other threads.
    public func makeCanceller() -> SourceCanceller { SourceCanceller(gate: gate) }

    // MARK: - Reading

    /// Advances by one FFmpeg call; returns a frame when one is ready.
    private func step() -> Frame? {
        guard let decoder, let demuxer else {
            phase = .drained(.endOfInput)
            return nil
        }
        let received = decoder.receive()
        if received == 0 {
            defer { decoder.releasePicture() }
            return deliver(decoder)
        }
        if received == FFmpegError.endOfFile {
            if case .draining(let ending) = phase { phase = .drained(ending) } else { phase = .drained(.endOfInput) }
            return nil
        }
        if received != FFmpegError.again {
            noteCorrupt("decoding failed: \(FFmpegError.text(received))")
            return nil
        }
        if case .draining = phase {
            // A flushed decoder never asks for more input; treat the oddity as the end of the drain.
            if case .draining(let ending) = phase { phase = .drained(ending) }
            return nil
        }

        if reconnectable { gate.arm(timeout: options.readTimeout) }
        let fed = decoder.feed(from: demuxer)
        if reconnectable { gate.disarm() }
        if case .readFailed(let status) = fed {
            if let held = heldDamage, status == FFmpegError.endOfFile, !reconnectable {
                heldDamage = nil
                decoder.sendHeld()
                partialPictureCounted = true
                // One truncation, one count: the declared-end check would count it again.
                truncationChecked = true
                noteCorrupt("\(held): the input ends in it (truncated); decoded as far as it goes")
            } else if status != FFmpegError.again {
                countHeldDamage()
            }
            readFailed(status)
            return nil
        }
        if case .otherStream = fed {} else { countHeldDamage() }
        consecutiveReadErrors = 0
        lastDataTime = Clock.monotonicSeconds()
        switch fed {
        case .sent:
            packetCount += 1
        case .damaged(let pts):
            packetCount += 1
            heldDamage = "damaged packet \(packetCount)\(ptsText(pts))"
        case .rejected(let pts, let sent):
            packetCount += 1
            noteCorrupt("packet \(packetCount)\(ptsText(pts)) rejected by the decoder: \(FFmpegError.text(sent))")
        case .otherStream, .readFailed:
            break
        }
        return nil
    }

    /// Decides what a failed read means: wait (not yet), the end, a loss (live) or damage (stored input).
    private func readFailed(_ status: Int32) {
        if status == FFmpegError.again {
            // Non-blocking devices (cameras) and some lavfi graphs say "not yet"; wait briefly. For a camera the
            // silence counts against the read timeout.
            if reconnectable && Clock.monotonicSeconds() - lastDataTime > options.readTimeout {
                startDrain(.lost("no frame for \(formatSeconds(options.readTimeout)) s"))
            } else {
                _ = gate.sleep(0.002)
            }
            return
        }
        if status == FFmpegError.endOfFile {
            startDrain(.endOfInput)
            return
        }
        if status == FFmpegError.exit {
            if gate.isCancelled { return }
            startDrain(.lost("no data for \(formatSeconds(options.readTimeout)) s"))
            return
        }
        if reconnectable && status != FFmpegError.invalidData {
            startDrain(.lost(FFmpegError.text(status)))
            return
        }
        // A file that fails to read at one spot usually reads again after it; a disk that fails every time ends it.
        noteCorrupt("read failed after packet \(packetCount): \(FFmpegError.text(status))")
        consecutiveReadErrors += 1
        if consecutiveReadErrors >= 32 {
            noteCorrupt("reading stopped after \(consecutiveReadErrors) read errors in a row")
            startDrain(.endOfInput)
        }
    }

    /// The held damaged packet was not the end of the file: it stays skipped, and counts.
    private func countHeldDamage() {
        guard let held = heldDamage else { return }
        heldDamage = nil
        noteCorrupt("\(held) skipped")
    }

    private func startDrain(_ ending: Ending) {
        decoder?.flush()
        phase = .draining(ending)
    }

    private func deliver(_ decoder: Decoder) -> Frame? {
        // Capture is when the picture left the decoder, before the conversion this source adds.
        var captureTime = Clock.wallSeconds()
        let picture = decoder.picture
        if picture.width <= 0 || picture.height <= 0 {
            noteCorrupt("decoder returned a frame without a size")
            return nil
        }
        if let problem = Demuxer.sizeProblem(width: picture.width, height: picture.height, options: options) {
            noteCorrupt("frame skipped: \(problem)")
            return nil
        }
        if picture.concealed {
            // Concealed damage still yields a picture; it is delivered, and the damage counted.
            if partialPictureCounted {
                partialPictureCounted = false
            } else {
                noteCorrupt("frame \(framesDelivered) decoded with concealed errors")
            }
        }
        let size = Scaler.outputSize(width: picture.width, height: picture.height, maxDimension: options.maxDimension)
        let buffer = pool.take(width: size.width, height: size.height)
        guard decoder.convert(with: scaler, into: buffer) else {
            noteCorrupt("frame skipped: cannot convert pixel format \(Decoder.pixelFormatName(picture.pixelFormat)) to RGB")
            return nil
        }
        let pts = presentationTime(picture.timestamp)
        if options.realtime {
            // A paced source simulates a camera, whose frames are captured when they come due.
            pace(pts)
            captureTime = Clock.wallSeconds()
        }
        let frame = Frame(index: framesDelivered, pts: pts, captureTime: captureTime, pixels: buffer, still: singleImage)
        framesDelivered += 1
        return frame
    }

    private func presentationTime(_ stamp: Int64) -> Double {
        let pts: Double
        if let seconds = demuxer?.seconds(stamp) {
            pts = seconds
        } else if let last = lastPts {
            // Without timestamps (some raw streams and pipes) the declared rate is the best guess.
            pts = last + 1 / (frameRate ?? 25)
        } else {
            pts = 0
        }
        lastPts = pts
        return pts
    }

    /// Holds a frame back until its pts comes due on the wall clock, relative to the first frame.
    private func pace(_ pts: Double) {
        let now = Clock.monotonicSeconds()
        if let anchor = paceAnchor, pts >= anchor.pts, pts - anchor.pts <= now - anchor.wall + 2 {
            let due = anchor.wall + (pts - anchor.pts)
            if due > now { _ = gate.sleep(due - now) }
        } else {
            // First frame, a pts jump back (a loop, a reconnect) or far ahead: start the clock again here.
            paceAnchor = (now, pts)
        }
    }

    /// A file whose frames stop well before the end its container declares was cut short; that is damage too,
    /// even when every packet that is there reads cleanly (Matroska, for one, just ends).
    private func checkTruncation() {
        guard let declared = demuxer?.declaredEnd, let last = lastPts else { return }
        let interval = 1 / (frameRate ?? 25)
        let missing = declared - (last + interval)
        if missing > max(0.5, 3 * interval) {
            noteCorrupt("input ends at \(String(format3: last + interval)) s, before its declared end at \(String(format3: declared)) s (truncated)")
        }
    }

    private func noteCorrupt(_ detail: String) {
        if pendingCorrupt == 0 { pendingDetail = detail }
        pendingCorrupt += 1
        corruptPackets += 1
    }

    private func takeCorrupt() -> SourceEvent {
        let event = SourceEvent.corrupt(packets: pendingCorrupt, detail: pendingDetail)
        pendingCorrupt = 0
        pendingDetail = ""
        return event
    }

    private func ptsText(_ stamp: Int64) -> String {
        guard let seconds = demuxer?.seconds(stamp) else { return "" }
        return " (pts \(String(format3: seconds)) s)"
    }

    // MARK: - Ends and reconnects

    private func conclude(_ ending: Ending) -> SourceEvent {
        if gate.isCancelled { return close() }
        switch ending {
        case .endOfInput:
            if reconnectable {
                detach()
                phase = .reconnecting("end of stream")
                return .lost(reason: "end of stream")
            }
            return close()
        case .lost(let reason):
            guard reconnectable else { return close() }
            detach()
            phase = .reconnecting(reason)
            return .lost(reason: reason)
        }
    }

    private func reconnect(after reason: String) -> SourceEvent {
        var attempt = 0
        var lastProblem = reason
        while true {
            attempt += 1
            if let limit = options.reconnect.maxAttempts, attempt > limit {
                phase = .closed
                return .lost(reason: "gave up after \(limit) reconnect attempt\(limit == 1 ? "" : "s"); last: \(lastProblem)")
            }
            guard gate.sleep(options.reconnect.delay(beforeAttempt: attempt)) else { return close() }
            do {
                try attach(Demuxer(spec: spec, options: options, gate: gate))
                phase = .streaming
                reconnects += 1
                return .reconnected(attempt: attempt)
            } catch let error as VideoError {
                lastProblem = error.message
            } catch {
                lastProblem = String(describing: error)
            }
            if gate.isCancelled { return close() }
        }
    }

    private func attach(_ demuxer: Demuxer) throws {
        let decoder = try Decoder(demuxer: demuxer, live: reconnectable || isLive, options: options, input: spec.text)
        self.demuxer = demuxer
        self.decoder = decoder
        frameRate = demuxer.frameRate
        duration = demuxer.declaredEnd
        let declared = demuxer.declaredSize
        inputSize = declared
        let output = Scaler.outputSize(width: declared.width, height: declared.height, maxDimension: options.maxDimension)
        width = output.width
        height = output.height
        lastDataTime = Clock.monotonicSeconds()
        lastPts = nil
        paceAnchor = nil
        consecutiveReadErrors = 0
        heldDamage = nil
        var text = "\(decoder.codecName) \(declared.width)x\(declared.height) \(decoder.pixelFormatName)"
        if let frameRate { text += " \(String(format3: frameRate)) fps" }
        text += " (\(demuxer.formatName))"
        if output != declared { text += ", scaled to \(output.width)x\(output.height)" }
        description = text
    }

    private func detach() {
        decoder = nil
        demuxer = nil
    }

    private func close() -> SourceEvent {
        detach()
        phase = .closed
        return .end
    }
}
