import Foundation
import XCTest

/// The units as systemd reads them (`systemd-analyze verify`, and `security` offline), and
/// `make install`, which puts everything where they expect it.
final class SystemdUnitTests: XCTestCase {
    /// The unit with ExecStart pointing at the built binary (verify checks that it exists).
    private func unit(_ name: String, in directory: TemporaryDirectory) throws -> String {
        let text = try String(contentsOfFile: "\(Fixtures.repositoryRoot)/systemd/\(name)", encoding: .utf8)
        let path = directory.file(name)
        try text.replacingOccurrences(of: "/usr/local/bin/handmesh", with: try Fixtures.handmeshBinary())
            .write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testTheUnitsVerifyAndAreHardened() throws {
        let directory = try TemporaryDirectory()
        // `systemd-analyze security`: 1.9 before this hardening, now 1.2 (cameras, the network and
        // AF_UNIX stay open) and 0.4 for a camera instance (no network at all).
        for (name, limit) in [("handmesh.service", 1.5), ("handmesh@.service", 0.8)] {
            let path = try unit(name, in: directory)
            let verified = try runTool("/usr/bin/systemd-analyze", ["verify", path], timeout: 60)
            XCTAssertEqual(verified.status, 0, verified.stderr)
            XCTAssertEqual(verified.stderr + verified.stdout, "", "\(name): systemd has nothing to say")
            let security = try runTool("/usr/bin/systemd-analyze", ["security", "--offline=true", "--no-pager", path], timeout: 60)
            let line = security.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") }
            let score = line.flatMap { Double($0.split(separator: ":").last!.split(separator: " ").first!) }
            print("\(name): \(line ?? "no score")")
            XCTAssertLessThanOrEqual(try XCTUnwrap(score, security.stdout + security.stderr), limit, name)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            XCTAssertTrue(text.contains("Environment=HANDMESH_MODELS=/var/lib/handmesh/models"), "\(name) finds its models")
        }
    }

    func testMakeInstallStagesTheBinaryTheUnitsAndVerifiedModels() throws {
        _ = try Fixtures.handmeshBinary()
        let directory = try TemporaryDirectory()
        let root = directory.file("root")
        let result = try runTool("/usr/bin/make", ["-C", Fixtures.repositoryRoot, "install", "DESTDIR=\(root)"], timeout: 300)
        XCTAssertEqual(result.status, 0, result.stderr)
        for path in ["usr/local/bin/handmesh", "etc/systemd/system/handmesh.service", "etc/systemd/system/handmesh@.service",
                     "etc/handmesh/handmesh.toml"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(root)/\(path)"), path)
        }
        // The models where the unit's HANDMESH_MODELS points, through the state directory's link.
        let models = "\(root)/var/lib/handmesh/models"
        let verified = try runTool("\(root)/usr/local/bin/handmesh", ["models", "verify"], environment: ["HANDMESH_MODELS": models],
                                   timeout: 60)
        XCTAssertEqual(verified.status, 0, verified.stderr)
    }
}
