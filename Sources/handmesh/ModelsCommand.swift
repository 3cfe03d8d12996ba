import ArgumentParser
import Foundation
import Neural

/// `handmesh models fetch|verify`: the four MediaPipe hand networks, pinned by SHA-256.
struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch and verify MediaPipe's hand models (pip download of mediapipe==0.10.21).",
        subcommands: [Fetch.self, Verify.self]
    )

    struct Location: ParsableArguments {
        @Option(name: .customLong("models"), help: ArgumentHelp(
            "Models directory (default: $HANDMESH_MODELS, else $XDG_DATA_HOME/handmesh/models, else ~/.local/share/handmesh/models).",
            valueName: "DIR"))
        var directory: String?

        var store: ModelStore { ModelStore(directory: directory.map { URL(fileURLWithPath: $0, isDirectory: true) }) }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download the wheel with pip, extract the four .tflite files, check their SHA-256. Skips files already verified.")

        @OptionGroup var location: Location
        @Option(help: "Python interpreter that runs pip.") var python = "python3"

        func run() throws {
            let store = location.store
            do {
                try store.fetch(python: python)
                try store.verify()
            } catch let error as ModelError {
                throw ValidationError(error.description)
            }
            for network in HandNetwork.allCases { print("ok  \(store.url(for: network).path)") }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check that the four model files are present with their pinned SHA-256.")

        @OptionGroup var location: Location

        func run() throws {
            let store = location.store
            var failures = 0
            for network in HandNetwork.allCases {
                do {
                    try store.verify(network)
                    print("ok  \(store.url(for: network).path)")
                } catch {
                    print("bad \(error)")
                    failures += 1
                }
            }
            if failures > 0 { throw ExitCode(1) }
        }
    }
}
