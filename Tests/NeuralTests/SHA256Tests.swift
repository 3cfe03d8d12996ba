import Foundation
import Neural
import XCTest

final class SHA256Tests: XCTestCase {
    /// FIPS 180-4 example vectors (and the NIST one-million-"a" test).
    func testKnownVectors() {
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Every length around the 55/56/64-byte padding boundaries, against Python's hashlib.
    func testPaddingBoundariesAgainstHashlib() throws {
        let lengths = Array(0...200)
        let script = "import hashlib\nfor n in range(201): print(hashlib.sha256(bytes((i * 7 + 3) % 256 for i in range(n))).hexdigest())"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let expected = output.split(separator: "\n").map(String.init)
        XCTAssertEqual(expected.count, lengths.count, "python3 hashlib gave \(expected.count) digests")
        for (n, digest) in zip(lengths, expected) {
            let bytes = (0..<n).map { UInt8(($0 * 7 + 3) % 256) }
            XCTAssertEqual(SHA256.hex(bytes), digest, "length \(n)")
        }
    }

    func testIncrementalUpdatesMatchOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        var hasher = SHA256()
        var start = 0
        for size in [1, 63, 64, 65, 0, 200, 7] {
            hasher.update(bytes[start..<start + size])
            start += size
        }
        hasher.update(bytes[start...])
        XCTAssertEqual(hasher.finalize(), SHA256.hex(bytes))
    }
}
