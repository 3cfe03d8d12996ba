import CMosquitto
import Glibc

/// One connection to a broker through libmosquitto. It owns the library's handle, and is used by
/// the sink's network thread alone: the library runs without its own thread, and this type polls
/// its socket together with the sink's wake-up pipe, so that a new record goes out at once.
final class MQTTClient {
    enum Event {
        case connected(code: Int32)
        case published(id: Int32)
        case disconnected(code: Int32)
    }

    private let handle: OpaquePointer
    private var events: [Event] = []

    /// libmosquitto's process-wide set-up, run once however many sinks open.
    private static let library: Void = { _ = mosquitto_lib_init() }()

    init(credentials: MQTTCredentials?, tls: Bool, caFile: String?, sink: String) throws {
        _ = Self.library
        // A fresh handle per connection: nothing from a broken one (its queued packets, which the
        // library would otherwise resend in its own order) leaks into the next.
        guard let handle = mosquitto_new(nil, true, nil) else {
            throw SinkError(sink: sink, message: "cannot create an MQTT client: \(String(cString: strerror(errno)))")
        }
        self.handle = handle
        mosquitto_user_data_set(handle, Unmanaged.passUnretained(self).toOpaque())
        mosquitto_connect_callback_set(handle) { _, context, code in
            MQTTClient.from(context)?.events.append(.connected(code: code))
        }
        mosquitto_publish_callback_set(handle) { _, context, id in
            MQTTClient.from(context)?.events.append(.published(id: id))
        }
        mosquitto_disconnect_callback_set(handle) { _, context, code in
            MQTTClient.from(context)?.events.append(.disconnected(code: code))
        }
        if let credentials {
            let code = mosquitto_username_pw_set(handle, credentials.username, credentials.password)
            guard code == 0 else { throw SinkError(sink: sink, message: "credentials: \(Self.describe(code))") }
        }
        if tls {
            // Without a CA file, the system's trust store.
            let code = mosquitto_tls_set(handle, caFile, caFile == nil ? "/etc/ssl/certs" : nil, nil, nil, nil)
            guard code == 0 else {
                throw SinkError(sink: sink, message: "TLS with CA \(caFile ?? "/etc/ssl/certs"): \(Self.describe(code))")
            }
        }
    }

    deinit {
        mosquitto_destroy(handle)
    }

    private static func from(_ context: UnsafeMutableRawPointer?) -> MQTTClient? {
        context.map { Unmanaged<MQTTClient>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Opens the TCP (and TLS) connection and sends CONNECT; the broker's answer comes as an event.
    func connect(host: String, port: Int, keepalive: Int32) -> Int32 {
        mosquitto_connect(handle, host, Int32(port), keepalive)
    }

    /// The events callbacks delivered since the last call.
    func takeEvents() -> [Event] {
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }

    /// Publishes at QoS 1; returns libmosquitto's code and the message id.
    func publish(_ payload: [UInt8], topic: String, retain: Bool) -> (code: Int32, id: Int32) {
        var id: Int32 = 0
        let code = payload.withUnsafeBytes {
            mosquitto_publish(handle, &id, topic, Int32($0.count), $0.baseAddress, 1, retain)
        }
        return (code, id)
    }

    /// Waits up to `milliseconds` for the socket or `wakeFD`, then does the reading, writing
    /// and keepalive that are due. Returns 0, or the code that ended the connection.
    func step(wakeFD: Int32, milliseconds: Int32) -> Int32 {
        let socket = mosquitto_socket(handle)
        guard socket >= 0 else { return Int32(MOSQ_ERR_NO_CONN.rawValue) }
        var fds = [
            pollfd(fd: socket, events: Int16(POLLIN) | (mosquitto_want_write(handle) ? Int16(POLLOUT) : 0), revents: 0),
            pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0),
        ]
        let ready = poll(&fds, 2, milliseconds)
        if ready < 0, errno != EINTR { return Int32(MOSQ_ERR_ERRNO.rawValue) }
        if fds[0].revents != 0 {
            let code = mosquitto_loop_read(handle, 1)
            if code != 0 { return code }
        }
        if mosquitto_want_write(handle) {
            let code = mosquitto_loop_write(handle, 1)
            if code != 0 { return code }
        }
        return mosquitto_loop_misc(handle)
    }

    /// Sends DISCONNECT, so the broker knows the end was meant.
    func disconnect() {
        _ = mosquitto_disconnect(handle)
    }

    static func describe(_ code: Int32) -> String {
        if code == Int32(MOSQ_ERR_ERRNO.rawValue) {
            return String(cString: strerror(errno))
        }
        return String(cString: mosquitto_strerror(code))
    }

    static func describeRefusal(_ code: Int32) -> String {
        String(cString: mosquitto_connack_string(code))
    }
}
