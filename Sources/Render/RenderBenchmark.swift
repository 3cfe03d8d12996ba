import Dispatch
import Foundation
import HandModel
import Video

/// The figures behind `handmesh bench render`: medians over runs of the overlay (goal ≤ 3 ms per 720p
/// frame), the silhouette term per hand (goal ≤ 2 ms), and, for the silhouette choice, SoftRas's aggregate
/// silhouette on the same grid; plus a synthetic frame's cost.
public enum RenderBenchmark {
    public struct Figure: Sendable {
        public var name: String
        /// Median wall-clock time.
        public var medianMilliseconds: Double
        /// Median CPU time of the benchmarking thread: what the work costs when other processes compete for
        /// the cores (a shared build machine), where wall time also counts waiting to be scheduled.
        public var medianCPUMilliseconds: Double
        public var goalMilliseconds: Double?

        init(name: String, _ m: (wall: Double, cpu: Double), goalMilliseconds: Double?) {
            self.name = name
            medianMilliseconds = m.wall
            medianCPUMilliseconds = m.cpu
            self.goalMilliseconds = goalMilliseconds
        }
    }

    public static func run(runs: Int) -> [Figure] {
        precondition(runs >= 1, "RenderBenchmark: runs must be ≥ 1")
        let model = HandModel.builtIn(side: .right)
        let animation = SynthAnimation(model: model, frameCount: max(runs, 2), seed: 1)
        var figures: [Figure] = []

        // Overlay: one hand over a 1280×720 frame, mesh + joints + bones, including the frame copy.
        let camera720 = RenderCamera(width: 1280, height: 720)
        let frame = PixelBuffer(width: 1280, height: 720)
        let background = SynthBackground.make(width: 1280, height: 720, style: .gradient, seed: 1)
        frame.withUnsafeMutableBytes { raw in
            for y in 0..<720 { for i in 0..<(3 * 1280) { raw[y * frame.rowBytes + i] = background[y * 3 * 1280 + i] } }
        }
        let overlay = OverlayRenderer(width: 1280, height: 720, camera: camera720)
        let hands = (0..<runs).map { OverlayRenderer.Hand(parameters: animation.pose(at: $0).parameters, side: .right) }
        _ = overlay.render(frame, hands: [hands[0]])
        figures.append(Figure(name: "overlay, 1 hand, 1280x720", median(runs) { i in
            _ = overlay.render(frame, hands: [hands[i]])
        }, goalMilliseconds: 3))

        // Silhouette term: a 64² grid, the mask of a nearby pose as target, vertices and their Jacobian given.
        let camera = RenderCamera(width: 640, height: 480)
        let workspace = HandModelWorkspace(model: model)
        var vertices = [SIMD3<Double>](repeating: .zero, count: model.vertexCount)
        var jacobian = [Double](repeating: 0, count: 3 * model.vertexCount * HandParameters.count)
        let truth = animation.pose(at: 0).parameters
        var start = truth
        start.globalOrient += SIMD3(0.03, -0.04, 0.05)
        start.transl += SIMD3(0.006, -0.004, 0.01)
        var raster = Rasterizer(width: 640, height: 480)
        var screen: [SIMD3<Float>] = []
        camera.projectToScreen(model.vertices(truth).map { SIMD3<Float>($0) }, into: &screen)
        raster.draw(screen: screen, faces: model.faces)
        var mask: [UInt8] = []
        raster.silhouette(into: &mask)
        var lo = SIMD2<Float>(repeating: .infinity), hi = -lo
        for p in screen { lo = pointwiseMin(lo, SIMD2(p.x, p.y)); hi = pointwiseMax(hi, SIMD2(p.x, p.y)) }
        var term = SilhouetteTerm(gridSize: 64)
        term.setTarget(mask: mask, width: 640, height: 480, region: lo - 20, hi + 20)
        vertices.withUnsafeMutableBufferPointer { v in
            jacobian.withUnsafeMutableBufferPointer { j in model.vertices(start, into: v, jacobian: j, workspace: workspace) }
        }
        figures.append(Figure(name: "hand model vertices + Jacobian (for reference)", median(runs) { _ in
            vertices.withUnsafeMutableBufferPointer { v in
                jacobian.withUnsafeMutableBufferPointer { j in model.vertices(start, into: v, jacobian: j, workspace: workspace) }
            }
        }, goalMilliseconds: nil))
        var jtj = [Double](repeating: 0, count: 61 * 61), jtr = [Double](repeating: 0, count: 61)
        figures.append(Figure(name: "silhouette term, 64x64 grid: residuals + Jacobian + normal equations", median(runs) { _ in
            vertices.withUnsafeBufferPointer { v in
                jacobian.withUnsafeBufferPointer { j in
                    term.evaluate(vertices: v, faces: model.faces, camera: camera, vertexJacobian: j)
                }
            }
            for k in 0..<jtj.count { jtj[k] = 0 }
            for k in 0..<jtr.count { jtr[k] = 0 }
            term.accumulateNormalEquations(jtj: &jtj, jtr: &jtr)
        }, goalMilliseconds: 2))

        // SoftRas's aggregate silhouette on the same grid, forward and Jacobian, for the comparison.
        var soft = SoftSilhouette(width: 64, height: 64, sigma: 0.6)
        soft.cutoff = 10
        let step = term.step, origin = SIMD2(term.originX, term.originY)
        let grid = vertices.map { (camera.project(SIMD3<Float>($0)) - origin) / step }
        let gridJacobian = [Float](repeating: 0.01, count: grid.count * 2 * 61)
        var softJ: [Float] = [], active: [Bool] = []
        figures.append(Figure(name: "SoftRas aggregate silhouette, 64x64 grid: forward + Jacobian", median(runs) { _ in
            soft.render(screen: grid, faces: model.faces)
            soft.jacobian(screen: grid, faces: model.faces, vertexJacobian: gridJacobian, parameterCount: 61,
                          into: &softJ, rowActive: &active)
        }, goalMilliseconds: nil))

        // A synthetic 640×480 frame: hand, forearm, shadow, occlusion, shading, mask.
        let scene = SynthScene(width: 640, height: 480, model: model, shape: animation.shape, seed: 1)
        let image = PixelBuffer(width: 640, height: 480)
        var synthMask: [UInt8] = []
        let poses = (0..<runs).map { animation.pose(at: $0) }
        _ = scene.render(poses[0], into: image, mask: &synthMask)
        figures.append(Figure(name: "synth frame 640x480", median(runs) { i in
            _ = scene.render(poses[i], into: image, mask: &synthMask)
        }, goalMilliseconds: nil))
        return figures
    }

    public static func report(_ figures: [Figure]) -> String {
        figures.map { f in
            let wall = String(format: "%.3f", f.medianMilliseconds), cpu = String(format: "%.3f", f.medianCPUMilliseconds)
            let goal = f.goalMilliseconds.map { g in
                "  (goal ≤ \(g) ms: \(f.medianCPUMilliseconds <= g ? "met" : "missed") on CPU time, \(f.medianMilliseconds <= g ? "met" : "missed") on wall time)"
            } ?? ""
            return "\(f.name): median \(wall) ms wall, \(cpu) ms CPU\(goal)"
        }.joined(separator: "\n")
    }

    private static func threadCPUNanoseconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) * 1e9 + Double(t.tv_nsec)
    }

    private static func median(_ runs: Int, _ body: (Int) -> Void) -> (wall: Double, cpu: Double) {
        var wall: [Double] = [], cpu: [Double] = []
        wall.reserveCapacity(runs)
        cpu.reserveCapacity(runs)
        for i in 0..<runs {
            let t0 = DispatchTime.now().uptimeNanoseconds, c0 = threadCPUNanoseconds()
            body(i)
            cpu.append((threadCPUNanoseconds() - c0) / 1e6)
            wall.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
        }
        func mid(_ v: [Double]) -> Double {
            let s = v.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        return (mid(wall), mid(cpu))
    }
}
