/// Reads a list of photos one after another, each opened, decoded at its own size and closed before the
/// next, so photos of different sizes and formats follow each other freely. A photo that cannot be read
/// becomes a `.corrupt` event naming its file, and the next photo follows.
final class PhotoSequence {
    let photos: [StillImage]
    private let options: SourceOptions
    private let gate: InterruptGate
    private var nextPhoto = 0
    private var pending: [SourceEvent] = []
    /// Frames delivered so far; the next frame's index.
    private(set) var delivered = 0
    /// What the first photo was and its size as delivered, for the header; nil when it could not be read.
    private(set) var first: (description: String, width: Int, height: Int)?
    /// Why the last photo read gave no picture, without its name.
    private var lastFailure: String?

    /// Reads the first photo at once, so the header can describe it. With `mustReadFirst` (a single image)
    /// a first photo that cannot be read is the input failing, and throws.
    init(photos: [StillImage], options: SourceOptions, gate: InterruptGate, mustReadFirst: Bool) throws(VideoError) {
        self.photos = photos
        var options = options
        // One picture per decoder: frame threads would only add threads to start and stop per photo.
        options.decoderThreads = 1
        options.realtime = false
        self.options = options
        self.gate = gate
        guard let photo = photos.first else { return }
        nextPhoto = 1
        do {
            let source = try open(photo)
            pending = read(photo, from: source)
            if case .frame(let frame)? = pending.last {
                first = (source.description, frame.width, frame.height)
            }
        } catch {
            if mustReadFirst { throw error }
            pending = gate.isCancelled ? [] : [unreadable(photo, error.message)]
        }
        if mustReadFirst, first == nil, !gate.isCancelled {
            throw VideoError(input: photo.path, message: lastFailure ?? "no picture could be decoded")
        }
    }

    func next() -> SourceEvent {
        while pending.isEmpty {
            guard nextPhoto < photos.count, !gate.isCancelled else { return .end }
            let photo = photos[nextPhoto]
            nextPhoto += 1
            do {
                pending = read(photo, from: try open(photo))
            } catch {
                if gate.isCancelled { return .end }
                pending = [unreadable(photo, error.message)]
            }
        }
        return pending.removeFirst()
    }

    private func open(_ photo: StillImage) throws(VideoError) -> VideoSource {
        do {
            return try VideoSource(InputSpec(photo: photo.path), options: options, canceller: SourceCanceller(gate: gate))
        } catch let error as VideoError {
            throw error
        } catch {
            throw VideoError(input: photo.path, message: "\(error)")
        }
    }

    /// The photo's first picture as a frame of this sequence, after any damage reported on the way; or the
    /// damage alone when no picture came.
    private func read(_ photo: StillImage, from source: VideoSource) -> [SourceEvent] {
        var damage = 0
        var detail = ""
        while true {
            switch source.next() {
            case .frame(let frame):
                var events: [SourceEvent] = []
                if damage > 0 { events.append(.corrupt(packets: damage, detail: named(photo, detail))) }
                var still = photo
                still.camera = photo.camera?.scaled(from: source.inputSize, to: (frame.width, frame.height))
                // Timestamps as the image2 demuxer gives a %05d sequence (25 a second): increasing, so
                // anything that orders or paces by time still works.
                events.append(.frame(Frame(index: delivered, pts: Double(delivered) / 25, captureTime: frame.captureTime,
                                           pixels: frame.pixels, still: still)))
                delivered += 1
                return events
            case .corrupt(let packets, let what):
                if damage == 0 { detail = what }
                damage += packets
            case .lost, .reconnected:
                continue
            case .end:
                if gate.isCancelled { return [] }
                lastFailure = damage > 0 ? detail : nil
                return [.corrupt(packets: max(damage, 1), detail: named(photo, damage > 0 ? detail : "no picture could be decoded"))]
            }
        }
    }

    private func unreadable(_ photo: StillImage, _ message: String) -> SourceEvent {
        .corrupt(packets: 1, detail: named(photo, message))
    }

    /// Damage details name the photo: its path, and its manifest id when it has one.
    private func named(_ photo: StillImage, _ detail: String) -> String {
        "\(photo.path)\(photo.id.map { " (id \($0))" } ?? ""): \(detail)"
    }
}
