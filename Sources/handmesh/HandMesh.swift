import ArgumentParser

/// The `handmesh` command: 3D hand meshes from video.
@main
struct HandMesh: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handmesh",
        abstract: "3D hand meshes from video, one JSON record per frame.",
        subcommands: [
            // Each capability adds its command here.
            Bench.self,
        ]
    )
}
