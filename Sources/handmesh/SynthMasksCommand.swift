import ArgumentParser
import Fitting
import Foundation
import HandModel
import Silhouette
import Video

/// `handmesh synth-masks`: 224 × 224 hand masks as public hand datasets crop them (`CropScene`),
/// each with its camera, as photos to run Mask2Hand mode on: `run --input manifest:DIR/masks.jsonl
/// --input-is-mask`, scored by `eval mask` and `scripts/eval-synth DIR/truth.ndjson`.
struct SynthMasks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth-masks",
        abstract: "Render 224x224 hand masks with their cameras and truth, like a hand dataset's.",
        discussion: """
        Writes DIR/m_NNNNN.png, DIR/masks.jsonl (a photo manifest: image, id, camera) and \
        DIR/truth.ndjson (frame records with the true joints3d and joints2d, in the manifest's order). \
        Poses come from --poses (the fitted hands of `handmesh run` records: real poses, seen from new \
        views) or from the pose sampler. The same options always give the same masks.
        """)

    @Option(help: "The folder to write.") var out: String
    @Option(help: "Number of masks.") var count = 100
    @Option(help: "Seed of the draws.") var seed: UInt64 = 1
    @Option(help: "Records of `handmesh run` whose fitted poses and shapes to use, in turn.") var poses: String?
    @Option(help: "Share of masks with a forearm (0 to 1).") var forearms = 0.0
    @Flag(help: "Clean silhouettes: no ragged edges, holes or one-pixel erosion.") var clean = false

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be positive; got \(count)") }
        guard (0...1).contains(forearms) else { throw ValidationError("--forearms must be 0 to 1; got \(forearms)") }
    }

    func run() throws {
        var fitted: [[Double]] = []
        var shapes: [[Double]] = []
        if let poses {
            let hands = try FittedHands(contentsOf: URL(fileURLWithPath: poses))
            for index in hands.hands.keys.sorted() {
                let p = hands.hands[index]!.parameters
                fitted.append(p.pose)
                shapes.append(p.shape)
            }
            guard !fitted.isEmpty else { throw ValidationError("\(poses): no fitted hand in any frame record") }
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var scene = CropScene(model: HandModel.builtIn(side: .right))
        scene.forearmProbability = forearms
        if clean { scene.augmentation = .none }
        var rng = SeededRandom(seed: seed)
        var manifest = "", truth = ""
        let picture = PixelBuffer(width: CropScene.side, height: CropScene.side)
        for k in 0..<count {
            let i = fitted.isEmpty ? nil : k % fitted.count
            scene.draw(&rng, pose: i.map { fitted[$0] }, shape: i.map { shapes[$0] })
            picture.withUnsafeMutableBytes { raw in
                for y in 0..<CropScene.side {
                    for x in 0..<CropScene.side {
                        let v = scene.mask[y * CropScene.side + x]
                        for c in 0..<3 { raw[y * picture.rowBytes + 3 * x + c] = v }
                    }
                }
            }
            let name = String(format: "m_%05d.png", k)
            try Data(PNGEncoder.encode(picture)).write(to: URL(fileURLWithPath: out + "/" + name))
            let c = scene.camera
            manifest += #"{"image": "\#(name)", "id": "\#(i.map(String.init) ?? String(k))", "camera": {"fx": \#(c.fx), "fy": \#(c.fy), "cx": \#(c.cx), "cy": \#(c.cy)}}"# + "\n"
            let j3 = scene.keypoints.map { "[\($0.x), \($0.y), \($0.z)]" }.joined(separator: ", ")
            let j2 = scene.keypoints.map { c.project($0) }.map { "[\($0.x), \($0.y)]" }.joined(separator: ", ")
            truth += #"{"type": "frame", "index": \#(k), "hands": [{"joints3d": [\#(j3)], "joints2d": [\#(j2)]}]}"# + "\n"
        }
        try manifest.write(toFile: out + "/masks.jsonl", atomically: true, encoding: .utf8)
        try truth.write(toFile: out + "/truth.ndjson", atomically: true, encoding: .utf8)
        print("\(count) masks in \(out)")
    }
}
