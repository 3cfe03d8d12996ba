import Foundation
import NIOCore
import NIOHTTP1

/// The view's HTTP requests: the page, the faces, three.js; everything else is 404. Each response
/// closes its connection (a page load is four requests; keep-alive would buy nothing).
final class ViewHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let assets: ViewAssets
    private var uri = "/"

    init(assets: ViewAssets) {
        self.assets = assets
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            uri = head.uri
        case .body:
            break
        case .end:
            let path = uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? uri
            switch path {
            case "/", "/index.html":
                respond(context, .ok, "text/html; charset=utf-8", assets.page)
            case "/faces.json":
                respond(context, .ok, "application/json", assets.facesJSON)
            default:
                if let file = assets.scripts[path] {
                    if let bytes = FileManager.default.contents(atPath: file) {
                        respond(context, .ok, "text/javascript", Array(bytes))
                    } else {
                        respond(context, .notFound, "text/plain", Array("\(file) is missing: install Debian's libjs-three\n".utf8))
                    }
                } else {
                    respond(context, .notFound, "text/plain", Array("\(path): not found\n".utf8))
                }
            }
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ status: HTTPResponseStatus, _ type: String, _ body: [UInt8]) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Cache-Control", value: "no-store")
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
