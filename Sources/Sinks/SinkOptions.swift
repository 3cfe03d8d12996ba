/// Settings that shape how sinks behave, from the config file.
public struct SinkOptions: Sendable, Equatable {
    /// File mode of a socket's path; it decides who may connect.
    public var socketMode: UInt32 = 0o660
    /// How far a socket client may fall behind, in bytes, before it is disconnected.
    public var clientBufferBytes: Int = 4 << 20
    /// How long a disconnected slow client, or a closing sink, gets to take the rest of a
    /// line already started, in seconds; after that the connection is closed regardless.
    public var closeGraceSeconds: Double = 1
    /// Clients served at once; more are accepted and closed at once, so that they cost no
    /// file descriptor and no buffer.
    public var maxClients: Int = 64
    /// Bytes of records an MQTT output holds for the broker (waiting or unacknowledged); what does
    /// not fit is dropped and counted.
    public var mqttBufferBytes: Int = 4 << 20
    /// A file with the broker's username and password (two lines); nil connects anonymously.
    public var mqttCredentialsFile: String?
    /// CA certificates for mqtts:// (PEM); nil uses the system's trust store.
    public var mqttCAFile: String?
    /// Reconnecting to a broker: from this many seconds, doubling, up to `reconnectMaxDelay`.
    public var reconnectInitialDelay: Double = 0.5
    public var reconnectMaxDelay: Double = 30

    public init() {}
}
