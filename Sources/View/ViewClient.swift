import NIOConcurrencyHelpers
import NIOCore

/// One connected browser and the frames sent to it that it has not yet said it drew. Frames go to
/// a browser only while fewer than `window` are in flight, so the newest frame is always next and
/// nothing waits in a socket buffer to add latency.
final class ViewClient: Sendable {
    static let window = 1
    let channel: Channel
    private let inFlight = NIOLockedValueBox(0)

    init(channel: Channel) {
        self.channel = channel
    }

    /// Takes a place in the window for one frame; false when the window is full.
    func reserve() -> Bool {
        inFlight.withLockedValue { n in
            guard n < Self.window, channel.isWritable else { return false }
            n += 1
            return true
        }
    }

    /// The page drew a frame.
    func drawn() {
        inFlight.withLockedValue { $0 = max($0 - 1, 0) }
    }
}
