import ArgumentParser
import Foundation
import Neural
import Video

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
            BatchRun.self,
            Bench.self,
            Train.self,
            Eval.self,
            Synth.self,
            SynthMasks.self,
            Models.self,
            Model.self,
        ]
    )

    /// ArgumentParser exits 64 (EX_USAGE) for an unknown flag or a bad value; the README's exit
    /// statuses say 1 for a bad argument, as for a bad config, so that scripts check one number.
    static func main() {
        BLASKernels.restartOnBetterKernels()
        // FFmpeg's console lines (the swscaler's "deprecated pixel format used" on JPEG masks, for
        // one) would interleave with ours in every command; `run` and `serve` raise the level again
        // when debugging (`LoggingSetup`).
        FFmpegLogLevel.quiet.apply()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(ExitStatus.badConfiguration.rawValue)
        }
    }
}
