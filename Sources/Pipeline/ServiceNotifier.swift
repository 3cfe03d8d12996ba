import Foundation

/// Speaks systemd's notify protocol (sd_notify(3)) without libsystemd: each message is one
/// datagram of `KEY=VALUE` lines sent to the AF_UNIX socket named by $NOTIFY_SOCKET (an abstract
/// name when it starts with '@'). Without $NOTIFY_SOCKET every call does nothing.
public final class ServiceNotifier: @unchecked Sendable {
    private let fd: Int32
    private let address: sockaddr_un
    private let addressLength: socklen_t
    /// Half of $WATCHDOG_USEC, when systemd asks for keep-alives for this process; never below
    /// `minimumWatchdogInterval`.
    public let watchdogInterval: Double?
    /// A WatchdogSec of a microsecond would have the daemon do nothing but send keep-alives (27,047
    /// of them in 3 s, measured); no real service restarts faster than this anyway.
    public static let minimumWatchdogInterval = 0.5

    public var isActive: Bool { fd >= 0 }

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        var interval: Double?
        if let text = environment["WATCHDOG_USEC"], let usec = UInt64(text), usec > 0 {
            // WATCHDOG_PID, when present, says which process the watchdog is meant for.
            if let pid = environment["WATCHDOG_PID"].flatMap({ Int32($0) }), pid != getpid() {
                interval = nil
            } else {
                interval = max(Double(usec) / 2e6, Self.minimumWatchdogInterval)
            }
        }
        watchdogInterval = interval

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var length: socklen_t = 0
        var fd: Int32 = -1
        if let path = environment["NOTIFY_SOCKET"], !path.isEmpty, path.utf8.count < MemoryLayout.size(ofValue: address.sun_path) {
            var bytes = Array(path.utf8)
            let abstract = bytes[0] == UInt8(ascii: "@")
            if abstract { bytes[0] = 0 }
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
            length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1))
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
        self.fd = fd
        self.address = address
        self.addressLength = length
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Sends one message; returns whether it went out (false without $NOTIFY_SOCKET).
    @discardableResult
    public func send(_ message: String) -> Bool {
        guard fd >= 0 else { return false }
        var address = self.address
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddr in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sockaddr, addressLength) }
            }
        }
        return sent == bytes.count
    }

    public func ready(status: String) { send("READY=1\nSTATUS=\(Self.oneLine(status))") }
    public func status(_ status: String) { send("STATUS=\(Self.oneLine(status))") }
    public func watchdog() { send("WATCHDOG=1") }
    public func stopping(status: String) { send("STOPPING=1\nSTATUS=\(Self.oneLine(status))") }

    /// A newline would start a new KEY=VALUE assignment.
    private static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ")
    }
}
