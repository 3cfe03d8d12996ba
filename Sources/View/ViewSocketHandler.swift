import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// One browser's WebSocket: registered with the server while open, answering pings and closes, and
/// logging what the page reports it drew (frames, capture-to-browser latency); the publisher writes
/// to it directly.
final class ViewSocketHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let clients: NIOLockedValueBox<[ObjectIdentifier: ViewClient]>
    private let logger: Logger

    init(clients: NIOLockedValueBox<[ObjectIdentifier: ViewClient]>, logger: Logger) {
        self.clients = clients
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        clients.withLockedValue { $0[ObjectIdentifier(channel)] = ViewClient(channel: channel) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let id = ObjectIdentifier(context.channel)
        _ = clients.withLockedValue { $0.removeValue(forKey: id) }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readWebSocketErrorCode() ?? .normalClosure
            var reply = context.channel.allocator.buffer(capacity: 2)
            reply.write(webSocketErrorCode: code)
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: reply)))
                .whenComplete { _ in context.close(promise: nil) }
        case .text:
            var data = frame.unmaskedData
            guard let text = data.readString(length: min(data.readableBytes, 200)) else { break }
            if text == "drawn" {
                let id = ObjectIdentifier(context.channel)
                clients.withLockedValue { $0[id] }?.drawn()
            } else {
                logger.info("view: browser reports \(text)")
            }
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
