import ArgumentParser
import Dispatch
import Foundation
import Metrics
import Pipeline

/// `handmesh bench metrics`: what the metrics cost a frame (the decode stage's count and the sink
/// stage's histograms, as the pipeline calls them), alone and while a scraper renders the page
/// over and over on another thread; and what one scrape costs.
struct BenchMetrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Nanoseconds of metrics per frame, without and with a scraper, and the cost of a scrape.")

    @Option(help: "Frames per run.")
    var frames = 1_000_000

    @Option(help: "Runs; medians are printed.")
    var runs = 5

    @Option(help: "Scrapes per second while scraped (Prometheus scrapes every 15 s; this is far harder).")
    var scrapesPerSecond = 100.0

    func run() throws {
        let names = ["decode", "evidence", "fit"]
        let times = [0.8, 4.9, 0.2]
        func perFrame(scraped: Bool) -> Double {
            let metrics = StreamMetrics(stream: "bench")
            let report = MetricsReport(streams: [metrics], sinks: [])
            let stop = DispatchSemaphore(value: 0)
            let stopped = DispatchSemaphore(value: 0)
            if scraped {
                Thread {
                    while stop.wait(timeout: .now() + 1 / scrapesPerSecond) == .timedOut {
                        _ = report.render()
                    }
                    stopped.signal()
                }.start()
            }
            let start = DispatchTime.now().uptimeNanoseconds
            for i in 0..<frames {
                metrics.decoded(dropped: false)
                metrics.processed(names: names, milliseconds: { times[$0] }, hands: i & 1)
            }
            let nanoseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(frames)
            if scraped {
                stop.signal()
                stopped.wait()
            }
            return nanoseconds
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let alone = median((0..<runs).map { _ in perFrame(scraped: false) })
        let scraped = median((0..<runs).map { _ in perFrame(scraped: true) })
        let metrics = StreamMetrics(stream: "bench")
        for i in 0..<1000 { metrics.processed(names: names, milliseconds: { times[$0] }, hands: i & 1) }
        let report = MetricsReport(streams: [metrics], sinks: [])
        let renders = 2000
        let start = DispatchTime.now().uptimeNanoseconds
        var size = 0
        for _ in 0..<renders { size = report.render().utf8.count }
        let render = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(renders) / 1000
        print(String(format: "metrics per frame: %.0f ns (median of %d runs of %d frames)", alone, runs, frames))
        print(String(format: "metrics per frame while scraped %.0f times a second: %.0f ns", scrapesPerSecond, scraped))
        print(String(format: "one scrape (render, one stream of 3 stages): %.1f µs, %d bytes", render, size))
    }
}
