import Foundation
import Metrics
import Sinks
import TOMLKit

/// Reads and validates a config file. Every failure is a `ConfigError` naming the file and the
/// key path or position; nothing in a malformed file makes it crash.
public enum ConfigLoader {
    public static func load(path: String) throws -> HandMeshConfig {
        try checkIsRegularFile(path)
        let text: String
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw ConfigError(file: path, location: "", message: "not UTF-8 text")
            }
            text = decoded
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(file: path, location: "", message: "cannot read: \(Self.reason(error))")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> HandMeshConfig {
        // The C++ parser stops at an embedded NUL without saying so; refuse it explicitly.
        if let nul = text.utf8.firstIndex(of: 0) {
            let line = text.utf8[..<nul].reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            throw ConfigError(file: file, location: "line \(line)", message: "NUL byte in the file")
        }
        if let problem = TOMLPrescan.firstProblem(in: text) {
            throw ConfigError(file: file, location: "line \(problem.line), column \(problem.column)",
                              message: "TOML syntax: \(problem.message)")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let position = error.source.begin
            throw ConfigError(file: file, location: "line \(position.line), column \(position.column)",
                              message: "TOML syntax: \(error.description)")
        }
        var top = TableReader(table, path: "", file: file)
        var config = HandMeshConfig()
        if let level = try top.string("log_level") {
            config.logLevel = try logLevel(level, at: "log_level", reader: top)
        }
        if let metrics = try top.string("metrics", expected: "unix:PATH or a loopback HOST:PORT") {
            do { _ = try MetricsAddress(parsing: metrics) } catch {
                throw top.error("metrics", "\(MetricsAddress.expected), got \(ConfigError.quoted(metrics))")
            }
            config.metrics = metrics
        }
        if var defaults = try top.table("defaults") {
            config.defaults = try readSettings(&defaults, base: StreamSettings())
            try defaults.finish(known: settingsKeys)
        }
        for var stream in try top.tableArray("streams") ?? [] {
            config.streams.append(try readStream(&stream, defaults: config.defaults))
            try stream.finish(known: streamKeys + settingsKeys)
        }
        try top.finish(known: ["log_level", "metrics", "defaults", "streams"])
        try checkStreamsTogether(config.streams, file: file)
        return config
    }

    /// Stream settings written as a TOML table's keys (`max_hands = 1`, `camera = {fx = …}`) over
    /// `base`: a batch manifest's per-video overrides. `file` names where they came from in errors.
    public static func settings(_ text: String, over base: StreamSettings, file: String) throws -> StreamSettings {
        if let problem = TOMLPrescan.firstProblem(in: text) {
            throw ConfigError(file: file, location: "", message: "\(problem.message)")
        }
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw ConfigError(file: file, location: "", message: error.description)
        }
        var reader = TableReader(table, path: "", file: file)
        let settings = try readSettings(&reader, base: base)
        try reader.finish(known: settingsKeys)
        return settings
    }

    static let streamKeys = ["name", "input", "outputs", "mask", "snapshot"]
    static let settingsKeys = [
        "max_dimension", "realtime", "live", "reconnect", "read_timeout", "camera", "mirrored", "max_hands", "model",
        "models_dir", "vertices", "smoothing", "still_images", "precision", "input_is_mask", "mask_hand", "mask_forearm", "socket_mode", "client_buffer_bytes", "max_clients", "threads", "log_level",
        "mqtt_buffer_bytes", "mqtt_credentials", "mqtt_ca_file",
    ]

    private static func readStream(_ reader: inout TableReader, defaults: StreamSettings) throws -> StreamConfig {
        guard let name = try reader.string("name") else {
            throw ConfigError(file: reader.file, location: reader.path, message: "missing key \"name\"")
        }
        guard !name.isEmpty, name.utf8.count <= 64,
              name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0)) })
        else {
            throw reader.error("name", "expected 1 to 64 of A-Z a-z 0-9 - _ . , got \(ConfigError.quoted(name))")
        }
        guard let input = try reader.string("input"), !input.isEmpty else {
            throw reader.has("input")
                ? reader.error("input", "expected a non-empty input (path, URL, /dev/videoN, - or lavfi:GRAPH)")
                : ConfigError(file: reader.file, location: reader.path, message: "missing key \"input\"")
        }
        let outputs = try reader.stringArray("outputs", expected: "an array of outputs") ?? ["ndjson:-"]
        for (i, output) in outputs.enumerated() {
            try checkOutput(output, location: "\(reader.keyPath("outputs"))[\(i)]", file: reader.file)
        }
        var settings = try readSettings(&reader, base: defaults)
        if let mask = try reader.string("mask", expected: "a mask video (path or URL)") {
            guard !mask.isEmpty else { throw reader.error("mask", "expected a mask video (path or URL), got \"\"") }
            guard !settings.inputIsMask else {
                throw reader.error("mask", "a mask pairs with an RGB input, but input_is_mask says the input is already a mask")
            }
            settings.mask = mask
        }
        if let path = try reader.string("snapshot", expected: "a PNG file path") {
            guard !path.isEmpty else { throw reader.error("snapshot", "expected a PNG file path, got \"\"") }
            settings.snapshot = path
        }
        return StreamConfig(name: name, input: input, outputs: outputs, settings: settings)
    }

    private static func checkOutput(_ output: String, location: String, file: String) throws {
        if output.hasPrefix("mqtt://") || output.hasPrefix("mqtts://") {
            do { _ = try MQTTAddress(parsing: output) } catch let error as SinkError {
                throw ConfigError(file: file, location: location, message: error.message)
            }
            return
        }
        if output.hasPrefix("view:") {
            do { _ = try SinkSpec(parsing: output) } catch let error as SinkError {
                throw ConfigError(file: file, location: location, message: error.message)
            }
            return
        }
        let ok = output == "ndjson:-"
            || (output.hasPrefix("ndjson:") && output.count > 7)
            || (output.hasPrefix("unix:") && output.count > 5 && output.utf8.count - 5 < 108)
        guard ok else {
            throw ConfigError(file: file, location: location,
                              message: "expected ndjson:-, ndjson:PATH, unix:PATH (path under 108 bytes), mqtt://HOST[:PORT]/TOPIC or view:[HOST:]PORT, got \(ConfigError.quoted(output))")
        }
    }

    /// Two streams writing one socket or one file would interleave and fight over the path.
    private static func checkStreamsTogether(_ streams: [StreamConfig], file: String) throws {
        var names: [String: Int] = [:]
        var sockets: [String: Int] = [:]
        for (i, stream) in streams.enumerated() {
            if let first = names[stream.name] {
                throw ConfigError(file: file, location: "streams[\(i)].name",
                                  message: "\"\(stream.name)\" is already the name of streams[\(first)]")
            }
            names[stream.name] = i
            for (j, output) in stream.outputs.enumerated() where output.hasPrefix("unix:") {
                if let first = sockets[output] {
                    throw ConfigError(file: file, location: "streams[\(i)].outputs[\(j)]",
                                      message: "\(output) is already an output of streams[\(first)]")
                }
                sockets[output] = i
            }
        }
    }

    private static func readSettings(_ reader: inout TableReader, base: StreamSettings) throws -> StreamSettings {
        var settings = base
        if let value = try reader.int("max_dimension", in: 16...16384) { settings.maxDimension = value }
        if let value = try reader.bool("realtime") { settings.realtime = value }
        if let value = try reader.bool("live") { settings.live = value }
        if var table = try reader.table("reconnect") {
            settings.reconnect = try readReconnect(&table, base: settings.reconnect)
            try table.finish(known: ["initial_delay", "max_delay", "max_attempts"])
        }
        if let value = try reader.double("read_timeout", expected: "seconds, more than 0", valid: { $0 > 0 }) {
            settings.readTimeout = value
        }
        if var table = try reader.table("camera") {
            settings.camera = try readCamera(&table)
            try table.finish(known: ["fx", "fy", "cx", "cy", "k1", "k2", "p1", "p2", "k3"])
        }
        if let value = try reader.bool("mirrored") { settings.mirrored = value }
        if let value = try reader.int("max_hands", in: 1...8) { settings.maxHands = value }
        if let value = try reader.string("model", expected: "\"builtin\" or \"mano:PATH\"") {
            if value == "builtin" {
                settings.model = .builtin
            } else if value.hasPrefix("mano:"), value.count > 5 {
                settings.model = .mano(path: String(value.dropFirst(5)))
            } else {
                throw reader.error("model", "expected \"builtin\" or \"mano:PATH\", got \(ConfigError.quoted(value))")
            }
        }
        if let value = try reader.string("models_dir", expected: "a directory path") {
            guard !value.isEmpty else { throw reader.error("models_dir", "expected a directory path, got \"\"") }
            settings.modelsDir = resolve(value, againstFolderOf: reader.file)
        }
        if let value = try reader.bool("vertices") { settings.vertices = value }
        if let value = try reader.flagOrChoice("smoothing", choices: ["auto", "causal", "two-pass"]) {
            settings.smoothing = value == "true" ? .auto : value == "false" ? .off : Smoothing(rawValue: value)!
        }
        if let value = try reader.bool("still_images") { settings.stillImages = value }
        if let value = try reader.string("precision", expected: "\"int8\" or \"float32\"") {
            guard let precision = EvidencePrecision(rawValue: value) else {
                throw reader.error("precision", "expected \"int8\" or \"float32\", got \(ConfigError.quoted(value))")
            }
            settings.precision = precision
        }
        if let value = try reader.bool("input_is_mask") { settings.inputIsMask = value }
        if let value = try reader.string("mask_hand", expected: "\"right\" or \"left\"") {
            guard let hand = MaskHand(rawValue: value) else {
                throw reader.error("mask_hand", "expected \"right\" or \"left\", got \(ConfigError.quoted(value))")
            }
            settings.maskHand = hand
        }
        if let value = try reader.string("mask_forearm", expected: "\"auto\", \"cut\" or \"keep\"") {
            guard let forearm = MaskForearm(rawValue: value) else {
                throw reader.error("mask_forearm", "expected \"auto\", \"cut\" or \"keep\", got \(ConfigError.quoted(value))")
            }
            settings.maskForearm = forearm
        }
        if reader.has("socket_mode") {
            settings.socketMode = try readMode(&reader, "socket_mode")
        }
        if let value = try reader.int("client_buffer_bytes", in: 4096...(1 << 30)) { settings.clientBufferBytes = value }
        let floor = RecordSizeBound.largestFrameRecord(maxHands: settings.maxHands, vertices: settings.vertices)
        guard settings.clientBufferBytes >= floor else {
            throw reader.error("client_buffer_bytes", "expected at least \(floor) bytes, the longest frame record with max_hands = \(settings.maxHands) and vertices = \(settings.vertices), got \(settings.clientBufferBytes)")
        }
        if let value = try reader.int("max_clients", in: 1...65536) { settings.maxClients = value }
        if let value = try reader.int("mqtt_buffer_bytes", in: 4096...(1 << 30)) { settings.mqttBufferBytes = value }
        if let value = try reader.string("mqtt_credentials", expected: "a file path") {
            guard !value.isEmpty else { throw reader.error("mqtt_credentials", "expected a file path, got \"\"") }
            settings.mqttCredentials = resolve(value, againstFolderOf: reader.file)
        }
        if let value = try reader.string("mqtt_ca_file", expected: "a PEM file path") {
            guard !value.isEmpty else { throw reader.error("mqtt_ca_file", "expected a PEM file path, got \"\"") }
            settings.mqttCAFile = resolve(value, againstFolderOf: reader.file)
        }
        if let value = try reader.int("threads", in: 0...256) { settings.threads = value }
        if let value = try reader.string("log_level") {
            settings.logLevel = try logLevel(value, at: "log_level", reader: reader)
        }
        return settings
    }

    private static func readReconnect(_ reader: inout TableReader, base: ReconnectSettings) throws -> ReconnectSettings {
        var reconnect = base
        if let value = try reader.double("initial_delay", expected: "seconds, from 0.01 to 3600", valid: { (0.01...3600).contains($0) }) {
            reconnect.initialDelay = value
        }
        if let value = try reader.double("max_delay", expected: "seconds, from 0.01 to 86400", valid: { (0.01...86400).contains($0) }) {
            reconnect.maxDelay = value
        }
        if let value = try reader.int("max_attempts", in: 0...1_000_000) {
            reconnect.maxAttempts = value == 0 ? nil : value
        }
        guard reconnect.maxDelay >= reconnect.initialDelay else {
            throw reader.error("max_delay", "expected at least initial_delay (\(reconnect.initialDelay)), got \(reconnect.maxDelay)")
        }
        return reconnect
    }

    /// Focal lengths in pixels. The frame size is unknown here, so the field of view cannot be checked;
    /// 1 px to 1e6 px spans every real lens (1e6 px is a 0.06° view across 1000 px, 1 px nearly 180°
    /// across 2 px), and values outside it (1e-300, 1e308) overflow the projection into nulls.
    static let focalRange = 1.0...1e6
    /// A principal point may lie outside the frame (a crop), but not further than a focal length can reach.
    static let principalPointRange = -1e6...1e6

    private static func readCamera(_ reader: inout TableReader) throws -> CameraSettings {
        func required(_ key: String, _ reader: inout TableReader, range: ClosedRange<Double>, expected: String) throws -> Double {
            guard let value = try reader.double(key, expected: expected, valid: { range.contains($0) }) else {
                throw ConfigError(file: reader.file, location: reader.keyPath(key),
                                  message: "missing; the camera table needs fx, fy, cx and cy")
            }
            return value
        }
        let focal = "pixels, from 1 to 1e6", point = "pixels, from -1e6 to 1e6"
        let fx = try required("fx", &reader, range: focalRange, expected: focal)
        let fy = try required("fy", &reader, range: focalRange, expected: focal)
        let cx = try required("cx", &reader, range: principalPointRange, expected: point)
        let cy = try required("cy", &reader, range: principalPointRange, expected: point)
        var distortion: [Double] = []
        for key in ["k1", "k2", "p1", "p2", "k3"] {
            // TableReader.double refuses inf and nan already: distortion is any finite number.
            distortion.append(try reader.double(key, expected: "a finite number", valid: { _ in true }) ?? 0)
        }
        return CameraSettings(fx: fx, fy: fy, cx: cx, cy: cy, distortion: distortion)
    }

    /// A relative path in a config means the same files wherever the daemon is started from: it is
    /// taken from the config file's folder, not from the working directory.
    static func resolve(_ path: String, againstFolderOf file: String) -> String {
        guard !path.hasPrefix("/"), let slash = file.lastIndex(of: "/") else { return path }
        let folder = file[..<slash]
        return folder.isEmpty ? "/" + path : folder + "/" + path
    }

    /// A file mode, as TOML's octal integer (0o660) or as a string of octal digits ("0660").
    private static func readMode(_ reader: inout TableReader, _ key: String) throws -> UInt32 {
        let expected = "a file mode from 0o000 to 0o777, as 0o660 or \"0660\""
        if let text = try? reader.string(key) {
            guard !text.isEmpty, text.count <= 4, let mode = UInt32(text, radix: 8), mode <= 0o777 else {
                throw reader.error(key, "expected \(expected), got \(ConfigError.quoted(text))")
            }
            return mode
        }
        guard let mode = try reader.int(key, in: 0...0o777) else {
            throw reader.error(key, "expected \(expected)")
        }
        return UInt32(mode)
    }

    private static func logLevel(_ value: String, at key: String, reader: TableReader) throws -> String {
        guard LogLevelName.all.contains(value) else {
            throw reader.error(key, "expected one of \(LogLevelName.all.joined(separator: ", ")), got \(ConfigError.quoted(value))")
        }
        return value
    }

    /// Foundation reads a directory as "error 256" and a FIFO or /dev/null as a permission problem;
    /// say what the path is instead.
    private static func checkIsRegularFile(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { return }  // reading it names the errno
        // POSIX's S_IFMT and S_IF* values, which Glibc defines as macros Swift does not import.
        let kind: String
        switch info.st_mode & 0o170000 {
        case 0o100000: return
        case 0o040000: kind = "is a directory"
        case 0o010000: kind = "is a FIFO"
        case 0o020000: kind = "is a character device"
        case 0o060000: kind = "is a block device"
        case 0o140000: kind = "is a socket"
        default: kind = "is not a file"
        }
        throw ConfigError(file: path, location: "", message: "cannot read: \(kind), not a regular file")
    }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError {
            return "no such file"
        }
        return nsError.localizedDescription
    }
}
