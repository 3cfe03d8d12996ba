import ArgumentParser

/// The `handmesh` command: 3D hand meshes from video.
@main
struct HandMesh: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handmesh",
        abstract: "3D hand meshes from video, one JSON record per frame.",
        version: HandMeshVersion.text,
        subcommands: [
            // Each capability adds its command here.
            Run.self,
            Serve.self,
            Bench.self,
            Train.self,
            Eval.self,
            Synth.self,
            Models.self,
            Model.self,
        ]
    )
}
