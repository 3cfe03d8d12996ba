import Foundation
import XCTest

/// A real mosquitto broker on a free 127.0.0.1 port, for the MQTT tests; stopped (and its files
/// removed) when the test lets go of it. `restart()` keeps the port and, with persistence, the
/// sessions and queued messages, as a broker that is restarted in production does.
final class MosquittoBroker {
    static let executable = "/usr/sbin/mosquitto"
    let port: Int
    let directory: TemporaryDirectory
    private var child: Child?

    init(persistent: Bool = false, extraConfig: String = "allow_anonymous true\n") throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw MissingTestInput("mosquitto is not installed (scripts/install-system-packages installs it)")
        }
        directory = try TemporaryDirectory()
        port = try freeLoopbackPort()
        // Started as root, mosquitto would switch to its own user, which cannot read or write here.
        var config = "listener \(port) 127.0.0.1\nuser \(NSUserName())\n" + extraConfig
        if persistent {
            config += "persistence true\npersistence_location \(directory.path)/\n"
        }
        try config.write(toFile: directory.file("mosquitto.conf"), atomically: true, encoding: .utf8)
        try start()
    }

    func start() throws {
        let child = try Child(Self.executable, ["-c", directory.file("mosquitto.conf")])
        self.child = child
        guard eventually(timeout: 10, { canConnect(port: port) }) else {
            throw TestFailure("mosquitto did not listen on 127.0.0.1:\(port): \(child.stderr)")
        }
    }

    /// SIGTERM, as systemd stops it: a persistent broker saves its sessions on the way out.
    func stop() {
        guard let child else { return }
        child.send(SIGTERM)
        if !child.waitForExit(timeout: 10) { child.kill() }
        self.child = nil
    }

    deinit {
        stop()
    }
}

/// An independent subscriber: `mosquitto_sub`, printing each message's payload on its own line.
final class MosquittoSubscriber {
    let child: Child
    let topic: String

    /// Waits until the subscription is in place (a probe on a side topic comes back), so that
    /// nothing published afterwards can be missed.
    init(broker: MosquittoBroker, topic: String, extra: [String] = []) throws {
        self.topic = topic
        let probe = topic + "-probe"
        child = try Child("/usr/bin/mosquitto_sub", ["-h", "127.0.0.1", "-p", String(broker.port), "-q", "1", "-v",
                                                      "-t", topic, "-t", probe] + extra)
        let ready = eventually(timeout: 15) {
            _ = try? runTool("/usr/bin/mosquitto_pub", ["-h", "127.0.0.1", "-p", String(broker.port), "-t", probe, "-m", "ready"] + Self.credentialArguments(extra), timeout: 10)
            return child.stdout.contains("\(probe) ready")
        }
        guard ready else { throw TestFailure("mosquitto_sub did not subscribe: \(child.stderr)") }
    }

    private static func credentialArguments(_ extra: [String]) -> [String] {
        var out: [String] = []
        for flag in ["-u", "-P"] {
            if let i = extra.firstIndex(of: flag), i + 1 < extra.count { out += [flag, extra[i + 1]] }
        }
        return out
    }

    /// The payloads received on the topic, in order.
    var messages: [String] {
        child.stdout.split(separator: "\n").compactMap { line in
            line.hasPrefix(topic + " ") ? String(line.dropFirst(topic.count + 1)) : nil
        }
    }

    func stop() {
        child.send(SIGTERM)
        _ = child.waitForExit(timeout: 5)
        child.kill()
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on right now.
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw TestFailure("cannot find a free port: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: address.sin_port))
}

func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}
