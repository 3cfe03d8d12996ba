import ArgumentParser
import Fitting
import Foundation
import HandModel
import Render
import Silhouette
import Video

/// `handmesh eval mask`: how well fitted meshes cover a mask video, at full resolution. Each frame
/// record's hand is posed from its parameters (and bone factors), drawn with its camera (the photo's, else the header's,
/// else the default field of view for the frame size) and compared with the mask frame of the same
/// index over the whole frame: the figure each record's `fit.mask_iou` gives. Where the run cut the
/// mask's forearm away (`fit.forearm_cut`), the mask counts up to that line, as the run's did;
/// `--whole-mask` counts all of it (to score a run against masks already cut at the wrist).
struct EvalMask: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mask",
        abstract: "Mesh-to-mask IoU of `run`'s records against a mask video (white hand on black).")

    @Argument(help: "Frame records (JSON lines) from `handmesh run`.") var records: String
    @Argument(help: "The mask video of the same clip (e.g. `handmesh synth --mask`).") var mask: String
    @Option(help: "Hand model the records were fitted with: builtin or mano:PATH.") var model = "builtin"
    @Flag(help: "Also print each frame's IoU, one line a frame: `frame INDEX iou IOU`.") var perFrame = false
    @Flag(help: "Count the whole mask, ignoring where the run cut its forearm away (`fit.forearm_cut`).") var wholeMask = false

    func run() throws {
        let fits = try FittedHands(contentsOf: URL(fileURLWithPath: records))
        let models = [HandSide.right: try HandModel.named(model, side: .right),
                      HandSide.left: try HandModel.named(model, side: .left)]
        let workspaces = [HandSide.right: HandModelWorkspace(model: models[.right]!),
                          HandSide.left: HandModelWorkspace(model: models[.left]!)]
        let source = try VideoSource(try InputSpec(parsing: mask))
        var silhouette: MeshSilhouette?
        var ious: [Double] = []
        var frames = 0
        reading: while true {
            switch source.next() {
            case .frame(let frame):
                frames += 1
                guard let hand = fits.hands[frame.index] else { continue }
                if silhouette?.width != frame.width || silhouette?.height != frame.height {
                    silhouette = MeshSilhouette(width: frame.width, height: frame.height)
                }
                let camera = (hand.camera ?? fits.camera).map(RenderCamera.init) ?? RenderCamera(width: frame.width, height: frame.height)
                silhouette!.draw(model: models[hand.side]!, parameters: hand.parameters, boneFactors: hand.boneFactors, camera: camera,
                                 workspace: workspaces[hand.side]!)
                let cut = wholeMask ? .none : hand.forearmCut ?? .none
                ious.append(frame.pixels.withMaskView { silhouette!.intersectionOverUnion($0.cutting(cut)) })
                if perFrame { print(String(format: "frame %d iou %.4f", frame.index, ious.last!)) }
            case .corrupt(let packets, let detail):
                throw ValidationError("\(mask): \(packets) damaged packet(s): \(detail)")
            case .lost(let reason):
                throw ValidationError("\(mask): lost: \(reason)")
            case .reconnected:
                continue
            case .end:
                break reading
            }
        }
        guard !ious.isEmpty else { throw ValidationError("\(records): no fitted hand on any of the mask's \(frames) frames") }
        let sorted = ious.sorted()
        print(String(format: "mesh-to-mask IoU over %d of %d frames with a fitted hand: mean %.3f, median %.3f, 10th percentile %.3f",
                     ious.count, frames, ious.reduce(0, +) / Double(ious.count), sorted[sorted.count / 2], sorted[sorted.count / 10]))
        let counted = ious + [Double](repeating: 0, count: max(0, frames - ious.count))
        print(String(format: "  counting frames without a hand as 0: mean %.3f", counted.reduce(0, +) / Double(counted.count)))
    }
}
