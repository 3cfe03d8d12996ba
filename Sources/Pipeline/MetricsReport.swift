import Metrics
import Sinks

/// Everything a scrape reports, gathered at the moment of the scrape: the streams' counters and
/// histograms, and the state of the sinks (socket clients, the MQTT connection and its queue).
public struct MetricsReport: Sendable {
    public let streams: [StreamMetrics]
    public let sinks: [any RecordSink]

    public init(streams: [StreamMetrics], sinks: [any RecordSink]) {
        self.streams = streams
        self.sinks = sinks
    }

    private enum Kind { case counter, gauge }

    /// One family: its samples come together, under one HELP and TYPE.
    private func family(_ out: inout PrometheusText, _ kind: Kind, _ name: String, _ help: String,
                        _ samples: [(PrometheusText.Labels, Double)]) {
        for (labels, value) in samples {
            switch kind {
            case .counter: out.counter(name, help: help, labels: labels, value)
            case .gauge: out.gauge(name, help: help, labels: labels, value)
            }
        }
    }

    public func render() -> String {
        var out = PrometheusText()
        let snapshots = streams.map { ([("stream", $0.stream)], $0.snapshot) }
        family(&out, .counter, "handmesh_frames_decoded_total", "Frames decoded from the input.",
               snapshots.map { ($0.0, Double($0.1.decoded)) })
        family(&out, .counter, "handmesh_frames_processed_total", "Frames that went through every stage and were written.",
               snapshots.map { ($0.0, Double($0.1.processed)) })
        family(&out, .counter, "handmesh_frames_dropped_total", "Frames of a live input dropped at the entrance while the pipeline was busy.",
               snapshots.map { ($0.0, Double($0.1.dropped)) })
        family(&out, .counter, "handmesh_input_reconnects_total", "Times a lost live input was reconnected.",
               snapshots.map { ($0.0, Double($0.1.reconnects)) })
        for (labels, s) in snapshots {
            for stage in s.stages {
                out.histogram("handmesh_stage_seconds", help: "Time a frame spent in each stage.",
                              labels: labels + [("stage", stage.name)], stage.histogram)
            }
        }
        for (labels, s) in snapshots {
            out.histogram("handmesh_hands_per_frame", help: "Hands found in each frame.", labels: labels, s.hands)
        }

        let sockets = sinks.compactMap { $0 as? UnixSocketSink }.map { ([("sink", $0.description)], $0.connectedClients, $0.counts) }
        family(&out, .gauge, "handmesh_sink_clients", "Clients connected to a socket output.",
               sockets.map { ($0.0, Double($0.1)) })
        family(&out, .counter, "handmesh_sink_disconnects_total", "Socket clients disconnected: too slow, hung up, or refused at max_clients.",
               sockets.flatMap { labels, _, c in
                   [("slow", c.slowDisconnects), ("hangup", c.hangups), ("refused", c.refused)].map { (labels + [("reason", $0.0)], Double($0.1)) }
               })

        let brokers = sinks.compactMap { $0 as? MQTTSink }.map { ([("sink", $0.description)], $0.counts) }
        family(&out, .gauge, "handmesh_mqtt_connected", "1 while the MQTT output is connected to its broker.",
               brokers.map { ($0.0, $0.1.connected ? 1 : 0) })
        family(&out, .counter, "handmesh_mqtt_reconnects_total", "Connections to the broker after the first.",
               brokers.map { ($0.0, Double($0.1.reconnects)) })
        family(&out, .gauge, "handmesh_mqtt_queue_depth", "Records waiting for the broker or for its acknowledgement.",
               brokers.map { ($0.0, Double($0.1.queued)) })
        family(&out, .counter, "handmesh_mqtt_published_total", "Records handed to the broker (again after a reconnect).",
               brokers.map { ($0.0, Double($0.1.published)) })
        family(&out, .counter, "handmesh_mqtt_dropped_total", "Records dropped because the buffer was full.",
               brokers.map { ($0.0, Double($0.1.dropped)) })
        return out.text
    }
}
