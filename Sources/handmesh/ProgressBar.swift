import Dispatch
import Foundation
import Pipeline

/// A one-line progress display on stderr while files are processed on a terminal: per stream a
/// bar towards the file's frame count (from its declared duration; a spinner when the container
/// does not say), frames, frames per second, the time left at that rate, and the elapsed time,
/// redrawn in place; at the end one summary line per stream stays on the terminal.
final class ProgressBar: @unchecked Sendable {
    private let timer: DispatchSourceTimer
    private let pipelines: [(Pipeline, expectedFrames: Int?)]
    private let started = DispatchTime.now()
    private var spinner = 0

    /// nil unless stderr is a terminal and some input is a file rather than a live source.
    static func make(for pipelines: [(Pipeline, isLive: Bool, expectedFrames: Int?)]) -> ProgressBar? {
        guard isatty(STDERR_FILENO) == 1, pipelines.contains(where: { !$0.isLive }) else { return nil }
        return ProgressBar(pipelines: pipelines.map { ($0.0, $0.expectedFrames) })
    }

    private init(pipelines: [(Pipeline, expectedFrames: Int?)]) {
        self.pipelines = pipelines
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "handmesh.progress"))
        timer.schedule(deadline: .now() + 0.25, repeating: 0.25)
        timer.setEventHandler { [weak self] in self?.draw() }
        timer.resume()
    }

    private func draw() {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let marks = ["|", "/", "-", "\\"]
        spinner = (spinner + 1) % marks.count
        var parts: [String] = []
        for (pipeline, expected) in pipelines {
            let status = pipeline.status.snapshot
            let rate = seconds > 0 ? Double(status.processed) / seconds : 0
            var mark = status.finished ? "done" : marks[spinner]
            if let expected, expected > 0, !status.finished {
                let width = 20
                let filled = min(width, status.processed * width / expected)
                mark = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
            }
            let total = expected.map { "/\($0)" } ?? ""
            var eta = ""
            if let expected, rate > 0, !status.finished, expected > status.processed {
                eta = " ETA " + Self.clock(Double(expected - status.processed) / rate)
            }
            parts.append("\(pipeline.context.stream) \(mark) \(status.processed)\(total) frames \(Int(rate.rounded())) fps\(eta)")
        }
        let line = "\r\u{1B}[K" + parts.joined(separator: "  ") + "  " + Self.clock(seconds)
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Stops redrawing and leaves one summary line per stream.
    func finish() {
        timer.cancel()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        var summary = "\r\u{1B}[K"
        for (pipeline, _) in pipelines {
            let status = pipeline.status.snapshot
            let rate = seconds > 0 ? Double(status.processed) / seconds : 0
            summary += "\(pipeline.context.stream): \(status.processed) frames in \(Self.clock(seconds)), \(Int(rate.rounded())) fps"
            if status.dropped > 0 { summary += ", \(status.dropped) dropped" }
            summary += "\n"
        }
        FileHandle.standardError.write(Data(summary.utf8))
    }

    /// 42s, 3m07s, 1h02m.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, s % 3600 / 60)
    }
}
