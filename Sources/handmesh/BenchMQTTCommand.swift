import ArgumentParser
import Dispatch
import Foundation
import Logging
import Records
import Sinks

/// `handmesh bench mqtt`: publishes real frame records through the MQTT sink, as fast as it takes
/// them or paced like a camera, each stamped with its send time (`bench_sent`, `bench_index`)
/// so that an independent subscriber (`mosquitto_sub -F '%U %p'`) can measure the latency the
/// broker adds; scripts/bench-mqtt runs the broker, the subscribers and the outage around it.
struct BenchMQTT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mqtt",
        abstract: "Records/s through an mqtt:// output, or a paced stream of stamped records for latency and outages.")

    @Option(help: "The output, mqtt://HOST:PORT/TOPIC.")
    var output: String

    @Option(help: "An NDJSON file of handmesh records; its frame records are sent, in turn.")
    var records: String

    @Option(help: "Records to send.")
    var count = 10_000

    @Option(help: "Records per second; 0 sends as fast as the sink takes them.")
    var rate = 0.0

    @Option(help: "At full rate, records in flight (waiting or unacknowledged) before the bench waits.")
    var window = 1000

    @Option(help: "The sink's buffer, bytes (mqtt_buffer_bytes).")
    var bufferBytes = 4 << 20

    @Option(help: "Seconds the sink may take to hand over what is buffered at the end.")
    var drainSeconds = 30.0

    func run() throws {
        guard case .mqtt(let address) = try SinkSpec(parsing: output) else {
            throw ValidationError("--output must be mqtt://HOST:PORT/TOPIC")
        }
        let text = try String(contentsOfFile: records, encoding: .utf8)
        let frames = text.split(separator: "\n").filter { $0.hasPrefix("{\"type\":\"frame\"") }.map { String($0.dropFirst()) }
        guard !frames.isEmpty else { throw ValidationError("\(records) holds no frame records") }
        var logger = Logger(label: "handmesh.bench")
        logger.logLevel = .warning
        var options = SinkOptions()
        options.mqttBufferBytes = bufferBytes
        options.closeGraceSeconds = drainSeconds
        let sink = try MQTTSink(address: address, options: options, logger: logger)
        // The connection first, so that the figure is the broker's rate and not the connect.
        let connectDeadline = Date().addingTimeInterval(10)
        while !sink.counts.connected, Date() < connectDeadline { usleep(1000) }

        var bytes = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for i in 0..<count {
            if rate > 0 {
                let due = start + UInt64(Double(i) / rate * 1e9)
                let now = DispatchTime.now().uptimeNanoseconds
                if due > now { usleep(UInt32((due - now) / 1000)) }
            } else {
                // As fast as the broker takes them: the bench, not the sink, holds back, so that
                // the figure is the broker's rate and not the buffer's overflow.
                while sink.counts.queued >= window { usleep(100) }
            }
            let sent = String(format: "%.6f", Date().timeIntervalSince1970)
            let line = Array("{\"bench_sent\":\(sent),\"bench_index\":\(i),\(frames[i % frames.count])\n".utf8)
            bytes += line.count
            sink.write(line, kind: .frame, stream: "bench")
        }
        let written = DispatchTime.now().uptimeNanoseconds
        sink.close()
        let drained = DispatchTime.now().uptimeNanoseconds
        let counts = sink.counts
        let seconds = Double(drained - start) / 1e9
        print(String(format: "records: %d (%.0f bytes each on average)", count, Double(bytes) / Double(count)))
        print(String(format: "written in %.3f s, acknowledged by %.3f s: %.0f records/s, %.1f MB/s",
                     Double(written - start) / 1e9, seconds, Double(count) / seconds, Double(bytes) / seconds / 1e6))
        print("acknowledged: \(counts.acknowledged), published: \(counts.published), reconnects: \(counts.reconnects), dropped (buffer full): \(counts.dropped)")
    }
}
