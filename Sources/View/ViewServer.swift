import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Pipeline
import Records
import Sinks

/// `--output view:HOST:PORT`: one page over HTTP that shows the latest frame with its fitted mesh
/// and a 3D view, fed over a WebSocket (`/ws`) with a JSON message (the hands' vertices, their
/// projections, the capture time) followed by the frame as JPEG.
///
/// The pipeline hands frames to `slot` (a `ViewStage`); the publisher's thread takes the newest
/// when it is free, so frames the browser cannot take are dropped, never queued: a browser gets a
/// frame only while it has said "drawn" for all but one of those sent (`ViewClient`).
public final class ViewServer: RecordSink, @unchecked Sendable {
    public let slot = ViewFrameSlot()
    public let host: String
    public let port: Int
    let clients = NIOLockedValueBox<[ObjectIdentifier: ViewClient]>([:])
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    private let publisher: ViewPublisher
    private let logger: Logger
    private let closed = NIOLockedValueBox(false)

    /// Binds and starts serving; throws a `SinkError` naming the address when it cannot.
    public init(host: String, port: Int, handModel: String = "builtin", threeDirectory: String = ViewAssets.defaultThreeDirectory,
                logger: Logger) throws {
        self.host = host
        self.port = port
        self.logger = logger
        let assets = try ViewAssets(handModel: handModel, threeDirectory: threeDirectory)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let clients = self.clients
        let socketLogger = logger
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let http = ViewHTTPHandler(assets: assets)
                    let upgrader = NIOWebSocketServerUpgrader(
                        shouldUpgrade: { channel, head in
                            channel.eventLoop.makeSucceededFuture(head.uri == "/ws" ? HTTPHeaders() : nil)
                        },
                        upgradePipelineHandler: { channel, _ in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(ViewSocketHandler(clients: clients, logger: socketLogger))
                            }
                        })
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { context in
                            context.pipeline.syncOperations.removeHandler(http, promise: nil)
                        }))
                    try channel.pipeline.syncOperations.addHandler(http)
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // A browser that falls behind fills its socket buffer and stops being writable: frames
            // for it are then skipped rather than queued. Room for about one frame (a 720x720 JPEG
            // and its meshes are 60-100 KB), so a queue never adds frames of latency.
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 32 << 10, high: 128 << 10))
        do {
            channel = try bootstrap.bind(host: host, port: port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw SinkError(sink: "view:\(host):\(port)", message: "cannot listen (\(error))")
        }
        publisher = ViewPublisher(slot: slot, assets: assets, clients: clients, logger: logger)
        publisher.start()
        logger.info("view on http://\(host):\(port)/")
    }

    /// The port bound (the one asked for, or the system's choice for port 0).
    public var boundPort: Int { channel.localAddress?.port ?? port }

    /// Records carry nothing the view needs beyond what `ViewStage` hands it.
    public func write(_ line: [UInt8], kind: RecordKind, stream: String) {}

    public func close() {
        let first = closed.withLockedValue { was in
            defer { was = true }
            return !was
        }
        guard first else { return }
        publisher.stop()
        try? channel.close().wait()
        let open = clients.withLockedValue { Array($0.values) }
        for client in open { client.channel.close(promise: nil) }
        try? group.syncShutdownGracefully()
    }

    public var description: String { "view:\(host):\(port)" }
}
