import Configuration
import Records
import Sinks
import Video

extension StreamSettings {
    /// How the source opens and paces its input.
    public var sourceOptions: SourceOptions {
        var options = SourceOptions()
        options.maxDimension = maxDimension
        options.realtime = realtime
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
        return options
    }

    public func context(stream: String) -> StreamContext {
        StreamContext(
            stream: stream,
            camera: camera.map { CameraDescription(fx: $0.fx, fy: $0.fy, cx: $0.cx, cy: $0.cy, distortion: $0.distortion) },
            mirrored: mirrored,
            maxHands: maxHands,
            wantsVertices: vertices)
    }
}
