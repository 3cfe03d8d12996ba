/// Prometheus's text exposition format (version 0.0.4), written by hand: a few families of
/// counters, gauges and histograms do not need a client library.
public struct PrometheusText: Sendable {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
    public private(set) var text = ""
    private var declared: Set<String> = []

    public init() {}

    public typealias Labels = [(String, String)]

    public mutating func counter(_ name: String, help: String, labels: Labels = [], _ value: Double) {
        declare(name, help: help, type: "counter")
        sample(name, labels, value)
    }

    public mutating func gauge(_ name: String, help: String, labels: Labels = [], _ value: Double) {
        declare(name, help: help, type: "gauge")
        sample(name, labels, value)
    }

    public mutating func histogram(_ name: String, help: String, labels: Labels = [], _ histogram: Histogram) {
        declare(name, help: help, type: "histogram")
        for (bound, count) in zip(histogram.upperBounds, histogram.cumulativeCounts) {
            sample(name + "_bucket", labels + [("le", Self.number(bound))], Double(count))
        }
        sample(name + "_bucket", labels + [("le", "+Inf")], Double(histogram.count))
        sample(name + "_sum", labels, histogram.sum)
        sample(name + "_count", labels, Double(histogram.count))
    }

    /// HELP and TYPE once per family, before its first sample.
    private mutating func declare(_ name: String, help: String, type: String) {
        guard declared.insert(name).inserted else { return }
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    private mutating func sample(_ name: String, _ labels: Labels, _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + Self.number(value) + "\n"
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
