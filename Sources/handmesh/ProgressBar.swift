import Dispatch
import Foundation
import Pipeline

/// A one-line progress display on stderr while files are processed on a terminal: frames
/// written, frames per second and elapsed time per stream, redrawn in place. The source does
/// not know a file's length, so it counts up rather than filling towards a total.
final class ProgressBar: @unchecked Sendable {
    private let timer: DispatchSourceTimer
    private let pipelines: [Pipeline]
    private let started = DispatchTime.now()
    private var spinner = 0

    /// nil unless stderr is a terminal and some input is a file rather than a live source.
    static func make(for pipelines: [(Pipeline, isLive: Bool)]) -> ProgressBar? {
        guard isatty(STDERR_FILENO) == 1, pipelines.contains(where: { !$0.isLive }) else { return nil }
        return ProgressBar(pipelines: pipelines.map(\.0))
    }

    private init(pipelines: [Pipeline]) {
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
        for pipeline in pipelines {
            let status = pipeline.status.snapshot
            let rate = seconds > 0 ? Double(status.processed) / seconds : 0
            let mark = status.finished ? "done" : marks[spinner]
            parts.append("\(pipeline.context.stream) \(mark) \(status.processed) frames \(Int(rate.rounded())) fps")
        }
        let line = "\r\u{1B}[K" + parts.joined(separator: "  ") + "  \(Int(seconds))s"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Stops redrawing and leaves the terminal on a fresh line.
    func finish() {
        timer.cancel()
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
