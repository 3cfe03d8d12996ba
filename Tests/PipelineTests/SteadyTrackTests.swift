import Foundation
import XCTest

/// The stereo clip's steadiness and accuracy goals (issue "A steady hand over a track"), measured
/// by `handmesh eval stereo` on `handmesh run`'s own records: calibrated views, defaults otherwise,
/// a file (two-pass smoothing, the default for files) and the same file run causal, as a live source is.
final class SteadyTrackTests: XCTestCase {
    struct Figures {
        var triangulated: [Double] = []
        var boneVariation: [Double] = []
        var jitter: [Double] = []
        var lag: [Double] = []
        var crossView = Double.nan
    }

    func view(_ n: Int) throws -> String {
        let clip = try Fixtures.realClip(view: n)
        return clip
    }

    func measure(smoothing: String?, in directory: TemporaryDirectory) throws -> Figures {
        var outputs: [String] = []
        for n in 0...1 {
            var config = try String(contentsOfFile: "\(Fixtures.repositoryRoot)/Config/examples/desk-view\(n).toml", encoding: .utf8)
            if let smoothing { config = config.replacingOccurrences(of: "[defaults]\n", with: "[defaults]\nsmoothing = \"\(smoothing)\"\n") }
            let path = directory.file("view\(n)-\(smoothing ?? "default").toml")
            try config.write(toFile: path, atomically: true, encoding: .utf8)
            let output = directory.file("view\(n)-\(smoothing ?? "default").ndjson")
            let run = try runTool(try Fixtures.handmeshBinary(), ["run", "--config", path, "--input", try view(n), "--output", "ndjson:\(output)"], timeout: 300)
            XCTAssertEqual(run.status, 0, run.stderr)
            outputs.append(output)
        }
        let eval = try runTool(try Fixtures.handmeshBinary(), ["eval", "stereo", "--calibration",
                                                               "\(Fixtures.repositoryRoot)/../shared/data/stereo-hand/camera_parameters"] + outputs, timeout: 120)
        XCTAssertEqual(eval.status, 0, eval.stderr)
        print(eval.stdout)
        var figures = Figures()
        func numbers(_ line: Substring) -> [Double] {
            line.split(whereSeparator: { !"0123456789.-".contains($0) }).compactMap { Double($0) }
        }
        for line in eval.stdout.split(separator: "\n") {
            let n = numbers(line)
            if line.contains("against triangulated points") { figures.triangulated.append(n[0]) }
            if line.contains("bone-length variation") { figures.boneVariation.append(n[0]) }
            if line.contains("jitter ") { figures.jitter.append(n[0]); figures.lag.append(n[1]) }
            if line.hasPrefix("cross-view") { figures.crossView = n[n.count - 2] }
        }
        XCTAssertEqual(figures.triangulated.count, 2, eval.stdout)
        return figures
    }

    func testFilesAreSmoothedBothWaysAndLiveStaysCausal() throws {
        let directory = try TemporaryDirectory()
        let file = try measure(smoothing: nil, in: directory)
        let live = try measure(smoothing: "causal", in: directory)
        for v in 0...1 {
            // Files (two-pass): bones settle within 1%, jitter at most 1 mm with no lag to speak of.
            XCTAssertLessThanOrEqual(file.boneVariation[v], 1.0, "view \(v)")
            XCTAssertLessThanOrEqual(file.jitter[v], 1.0, "view \(v)")
            XCTAssertLessThanOrEqual(abs(file.lag[v]), 0.2, "view \(v)")
            // The files' goal against the triangulated points (7.30 / 7.87 mm measured, README).
            XCTAssertLessThanOrEqual(file.triangulated[v], 8, "view \(v)")
            // Live (causal): the live goals.
            XCTAssertLessThanOrEqual(live.triangulated[v], 10, "view \(v)")
            XCTAssertLessThanOrEqual(live.boneVariation[v], 1.5, "view \(v)")
            XCTAssertLessThanOrEqual(live.jitter[v], 1.7, "view \(v)")
            XCTAssertLessThanOrEqual(live.lag[v], 0.5, "view \(v)")
        }
        XCTAssertLessThanOrEqual(live.crossView, 17)
        XCTAssertLessThanOrEqual(file.crossView, 12)
        // Two passes agree across views better than one. Against the triangulated points they do not
        // beat one pass on both views (view 1: 7.87 mm two-pass, 7.84 causal; README), so that is
        // not asserted.
        XCTAssertLessThanOrEqual(file.crossView, live.crossView)
    }
}
