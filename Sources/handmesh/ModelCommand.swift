import ArgumentParser
import Foundation
import HandModel

/// `handmesh model …`: the parametric hand itself.
struct Model: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The parametric hand: export posed meshes and model files.",
        subcommands: [ModelExport.self])
}

/// `handmesh model export --obj PATH [--pose …] [--shape …]`: a posed mesh, in metres.
struct ModelExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a posed hand mesh (OBJ, metres) and/or the model's arrays (safetensors).")

    @Option(help: "Write the posed mesh here as Wavefront OBJ.") var obj: String?
    @Option(help: "Write the model's arrays here (safetensors, MANO layout).") var safetensors: String?
    @Option(help: "right or left.") var side = "right"
    @Option(help: "A model file (e.g. MANO converted by scripts/mano_to_safetensors.py) instead of the built-in hand.") var model: String?
    @Option(help: "45 pose values (axis-angle per joint, MANO order, radians), comma-separated.") var pose: String?
    @Option(help: "10 shape values, comma-separated.") var shape: String?
    @Option(help: "Global orientation (axis-angle, 3 values).") var globalOrient: String?
    @Option(help: "Translation in metres (3 values).") var transl: String?
    @Flag(help: "Add the model's mean pose (MANO's hands_mean) to --pose.") var meanPose = false

    func run() throws {
        guard obj != nil || safetensors != nil else { throw ValidationError("give --obj PATH and/or --safetensors PATH") }
        guard let handSide = HandSide(rawValue: side) else { throw ValidationError("--side: right or left, not \(side)") }
        let hand: HandModel
        if let model {
            do { hand = try HandModel(safetensorsAt: URL(fileURLWithPath: model), side: handSide) } catch let e as HandModelError {
                throw ValidationError(e.description)
            }
        } else {
            hand = HandModel.builtIn(side: handSide)
        }
        var p = HandParameters.rest
        if let pose { p.pose = try Self.values(pose, count: 45, option: "--pose") }
        if meanPose { p.pose = zip(p.pose, hand.meanPose).map { $0 + $1 } }
        if let shape { p.shape = try Self.values(shape, count: 10, option: "--shape") }
        if let globalOrient { p.globalOrient = try Self.vector(globalOrient, option: "--global-orient") }
        if let transl { p.transl = try Self.vector(transl, option: "--transl") }
        if let obj {
            let text = OBJ.text(vertices: hand.vertices(p), faces: hand.faces,
                                comment: "handmesh \(handSide.rawValue) hand, metres; parameters \(p.vector.map { String($0) }.joined(separator: ","))")
            do { try text.write(toFile: obj, atomically: true, encoding: .utf8) } catch {
                throw ValidationError("\(obj): cannot write (\(error.localizedDescription))")
            }
            print("\(obj): \(hand.vertexCount) vertices, \(hand.faces.count) faces")
        }
        if let safetensors {
            // The side lets a reader (the Python client's HandModel.load) pose the file without being told.
            var file = hand.tensors.safetensors
            file.metadata["side"] = handSide.rawValue
            // Derived, not part of MANO's layout: how records' `bone_factors` stretch the mesh.
            file.tensors["bone_weights"] = Safetensors.Tensor(doubles: hand.vertexBoneWeights, shape: [hand.vertexCount, BoneLengths.count])
            do { try file.write(to: URL(fileURLWithPath: safetensors)) } catch let e as HandModelError {
                throw ValidationError(e.description)
            }
            print("\(safetensors): model arrays written")
        }
    }

    static func values(_ text: String, count: Int, option: String) throws -> [Double] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let numbers = parts.compactMap(Double.init)
        guard numbers.count == parts.count, numbers.count == count, numbers.allSatisfy(\.isFinite) else {
            throw ValidationError("\(option): give \(count) comma-separated numbers, got \"\(text)\"")
        }
        return numbers
    }

    static func vector(_ text: String, option: String) throws -> SIMD3<Double> {
        let v = try values(text, count: 3, option: option)
        return SIMD3(v[0], v[1], v[2])
    }
}
