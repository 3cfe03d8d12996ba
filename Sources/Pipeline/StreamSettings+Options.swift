import Configuration
import Foundation
import Records
import Sinks
import Video

extension StreamSettings {
    /// How the source opens and paces its input.
    public var sourceOptions: SourceOptions {
        var options = SourceOptions()
        options.maxDimension = maxDimension
        options.realtime = realtime
        options.live = live
        options.readTimeout = readTimeout
        options.reconnect = ReconnectPolicy(initialDelay: reconnect.initialDelay, maxDelay: reconnect.maxDelay,
                                            maxAttempts: reconnect.maxAttempts)
        options.decoderThreads = threads
        return options
    }

    public var sinkOptions: SinkOptions {
        var options = SinkOptions()
        options.socketMode = socketMode
        options.clientBufferBytes = clientBufferBytes
        options.maxClients = maxClients
        options.mqttBufferBytes = mqttBufferBytes
        options.mqttCredentialsFile = mqttCredentials
        options.mqttCAFile = mqttCAFile
        options.reconnectInitialDelay = reconnect.initialDelay
        options.reconnectMaxDelay = reconnect.maxDelay
        return options
    }

    /// These settings with `stillImages` decided for `source`: the config's choice, else whether the input is
    /// still images (a single image, a folder, a manifest; a `%05d` sequence stays a video); and
    /// `smoothing` decided: two-pass for a recorded video without masks, causal otherwise (a live
    /// source cannot wait for later frames, whatever the config asks).
    public func resolved(for source: VideoSource) -> StreamSettings {
        var settings = self
        let still = stillImages ?? (source.stillImageCount != nil)
        settings.stillImages = still
        switch smoothing {
        case .auto: settings.smoothing = source.isLive || still || mask != nil || inputIsMask ? .causal : .twoPass
        case .twoPass where source.isLive || still || mask != nil || inputIsMask: settings.smoothing = .causal
        default: break
        }
        return settings
    }

    /// What every frame of the stream shares. `stillImages` is false unless resolved true (`resolved(for:)`).
    public func context(stream: String) -> StreamContext {
        StreamContext(
            stream: stream,
            camera: camera.map { CameraDescription(fx: $0.fx, fy: $0.fy, cx: $0.cx, cy: $0.cy, distortion: $0.distortion) },
            mirrored: mirrored,
            maxHands: maxHands,
            wantsVertices: vertices,
            stillImages: stillImages ?? false,
            smoothing: smoothing == .auto ? "causal" : smoothing == .twoPass ? "two-pass" : smoothing.rawValue)
    }
}

extension StreamSettings {
    /// The networks' threads when the config leaves them to HandMesh (`threads = 0`): two for a
    /// stream alone on a machine with two cores or more, whose landmark network then runs 1.2x as
    /// many frames a second at max_hands 1 (the real clip looped 4 times: 6.81 against 8.26 s,
    /// medians of 5 interleaved runs); one where several streams share the cores already.
    public var automaticNetworkThreads: Int {
        soleStream ? min(2, ProcessInfo.processInfo.activeProcessorCount) : 1
    }
}
