import Foundation
import HandModel
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket
import Pipeline
import Records
import Render
import Video

/// The view's own thread: takes the newest frame from the slot, and while a browser is connected,
/// poses its hands' meshes, projects them into the picture, encodes the picture as JPEG and sends
/// both to every browser that can take them. All of that is off the pipeline's threads.
final class ViewPublisher: @unchecked Sendable {
    private let slot: ViewFrameSlot
    private let assets: ViewAssets
    private let clients: NIOLockedValueBox<[ObjectIdentifier: ViewClient]>
    private let logger: Logger
    private let stopping = NIOLockedValueBox(false)
    private let finished = DispatchSemaphore(value: 0)

    init(slot: ViewFrameSlot, assets: ViewAssets, clients: NIOLockedValueBox<[ObjectIdentifier: ViewClient]>, logger: Logger) {
        self.slot = slot
        self.assets = assets
        self.clients = clients
        self.logger = logger
    }

    func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "handmesh-view"
        thread.start()
    }

    func stop() {
        stopping.withLockedValue { $0 = true }
        finished.wait()
    }

    private func run() {
        let contents = ViewFrameSlot.Contents()
        var encoder: JPEGEncoder?
        let workspaces = (right: HandModelWorkspace(model: assets.right), left: HandModelWorkspace(model: assets.left))
        var vertices = [SIMD3<Double>](repeating: .zero, count: max(assets.right.vertexCount, assets.left.vertexCount))
        var failed = false
        while !stopping.withLockedValue({ $0 }) {
            guard slot.take(into: contents, timeout: 0.2) else { continue }
            let open = clients.withLockedValue { Array($0.values) }.filter { $0.reserve() }
            guard !open.isEmpty else { continue }
            var text = "{\"type\":\"view\",\"stream\":\(Self.quoted(contents.stream)),\"index\":\(contents.index)"
            text += ",\"capture_time\":\(contents.captureTime),\"sent_time\":\(Date().timeIntervalSince1970)"
            text += ",\"width\":\(contents.pixels.width),\"height\":\(contents.pixels.height),\"hands\":["
            for h in 0..<contents.handCount {
                let hand = contents.hands[h]
                let model = hand.side == .left ? assets.left : assets.right
                let n = model.vertexCount
                vertices.withUnsafeMutableBufferPointer { buffer in
                    hand.boneFactors.withUnsafeBufferPointer { factors in
                        model.vertices(hand.parameters, boneFactors: factors, into: UnsafeMutableBufferPointer(rebasing: buffer[0..<n]),
                                       workspace: hand.side == .left ? workspaces.left : workspaces.right)
                    }
                }
                text += h == 0 ? "{" : ",{"
                text += "\"side\":\"\(hand.side.rawValue)\",\"vertices\":["
                for i in 0..<n {
                    let v = vertices[i]
                    text += i == 0 ? "" : ","
                    text += String(format: "%.4f,%.4f,%.4f", v.x, v.y, v.z)
                }
                text += "],\"uv\":["
                for i in 0..<n {
                    let uv = contents.camera.project(SIMD3<Float>(vertices[i]))
                    text += i == 0 ? "" : ","
                    text += String(format: "%.1f,%.1f", uv.x, uv.y)
                }
                text += "]}"
            }
            text += "]}"
            do {
                if encoder?.width != contents.pixels.width || encoder?.height != contents.pixels.height {
                    encoder = try JPEGEncoder(width: contents.pixels.width, height: contents.pixels.height)
                }
                let jpeg = try encoder!.encode(contents.pixels) { ByteBuffer(bytes: $0) }
                let message = ByteBuffer(string: text)
                for client in open {
                    client.channel.write(WebSocketFrame(fin: true, opcode: .text, data: message), promise: nil)
                    client.channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .binary, data: jpeg), promise: nil)
                }
                failed = false
            } catch {
                open.forEach { $0.drawn() }
                if !failed { logger.error("view: \(error)") }
                failed = true
            }
        }
    }

    /// `s` as a JSON string, escaped as the records escape it.
    private static func quoted(_ s: String) -> String {
        var json = JSONWriter(capacity: s.utf8.count + 8)
        json.string(s)
        return String(decoding: json.bytes, as: UTF8.self)
    }
}
