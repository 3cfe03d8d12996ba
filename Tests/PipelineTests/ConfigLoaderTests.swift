import Configuration
import Foundation
import XCTest

final class ConfigLoaderTests: XCTestCase {
    func testTheExampleConfigIsValidAndMeansWhatItSays() throws {
        let config = try ConfigLoader.load(path: Fixtures.exampleConfigPath)
        XCTAssertEqual(config.logLevel, "info")
        XCTAssertEqual(config.streams.map(\.name), ["desk", "pattern"])
        let desk = config.streams[0]
        XCTAssertEqual(desk.input, "/dev/video0")
        XCTAssertEqual(desk.outputs, ["unix:/run/handmesh/desk.sock", "ndjson:/var/log/handmesh/desk.ndjson"])
        XCTAssertEqual(desk.settings.maxDimension, 1280, "a stream's own key overrides [defaults]")
        XCTAssertEqual(desk.settings.camera, CameraSettings(fx: 920, fy: 920, cx: 640, cy: 360))
        XCTAssertEqual(desk.settings.socketMode, 0o660)
        XCTAssertFalse(desk.settings.mirrored, "a camera's own view unless told otherwise")
        XCTAssertEqual(desk.settings.model, .builtin)
        XCTAssertEqual(desk.settings.precision, .int8)
        XCTAssertNil(desk.settings.reconnect.maxAttempts, "0 attempts means forever")
        XCTAssertEqual(desk.settings.snapshot, "/run/handmesh/desk.png")
        XCTAssertNil(desk.settings.mask)
        XCTAssertFalse(desk.settings.inputIsMask)
        XCTAssertEqual(desk.settings.maskHand, .right)
        let pattern = config.streams[1]
        XCTAssertTrue(pattern.settings.realtime)
        XCTAssertEqual(pattern.settings.maxHands, 1)
        XCTAssertFalse(pattern.settings.mirrored)
        XCTAssertEqual(pattern.settings.maxDimension, 1920, "[defaults] applies where the stream is silent")
        XCTAssertEqual(pattern.settings.reconnect.initialDelay, 1.0)
        XCTAssertNil(pattern.settings.camera)
    }

    func testMaskInputsAreStreamKeys() throws {
        let text = """
        [defaults]
        mask_hand = "left"
        [[streams]]
        name = "paired"
        input = "clip.mp4"
        mask = "clip-mask.mp4"
        [[streams]]
        name = "masks"
        input = "depth-mask.mkv"
        input_is_mask = true
        mask_hand = "right"
        """
        let config = try ConfigLoader.parse(text, file: "masks.toml")
        XCTAssertEqual(config.streams[0].settings.mask, "clip-mask.mp4")
        XCTAssertFalse(config.streams[0].settings.inputIsMask)
        XCTAssertEqual(config.streams[0].settings.maskHand, .left, "[defaults] applies")
        XCTAssertNil(config.streams[1].settings.mask)
        XCTAssertTrue(config.streams[1].settings.inputIsMask)
        XCTAssertEqual(config.streams[1].settings.maskHand, .right)
        XCTAssertNil(StreamSettings().mask)
        XCTAssertFalse(StreamSettings().inputIsMask)
    }

    func testStillImagesIsAutomaticUnlessSet() throws {
        let text = """
        [defaults]
        still_images = false
        [[streams]]
        name = "photos"
        input = "photos/"
        [[streams]]
        name = "frames"
        input = "frames/%05d.png"
        still_images = true
        """
        let config = try ConfigLoader.parse(text, file: "stills.toml")
        XCTAssertEqual(config.streams[0].settings.stillImages, false, "[defaults] applies")
        XCTAssertEqual(config.streams[1].settings.stillImages, true, "a stream's own key overrides")
        XCTAssertNil(StreamSettings().stillImages, "unset: decided by the input")
    }

    func testSmoothingTakesAFlagOrAMode() throws {
        for (value, expected) in [("true", Smoothing.auto), ("false", .off), ("\"causal\"", .causal), ("\"two-pass\"", .twoPass), ("\"auto\"", .auto)] {
            let config = try ConfigLoader.parse("[defaults]\nsmoothing = \(value)\n[[streams]]\nname = \"a\"\ninput = \"x.mp4\"\n", file: "s.toml")
            XCTAssertEqual(config.streams[0].settings.smoothing, expected, value)
        }
        XCTAssertThrowsError(try ConfigLoader.parse("[defaults]\nsmoothing = \"twopass\"\n", file: "s.toml")) { error in
            XCTAssertEqual("\(error)", "s.toml: defaults.smoothing: expected true, false, \"auto\", \"causal\", \"two-pass\", got \"twopass\"")
        }
    }

    func testDefaultsWhenTheFileIsAlmostEmpty() throws {
        let config = try ConfigLoader.parse("[[streams]]\nname = \"a\"\ninput = \"x.mp4\"\n", file: "min.toml")
        XCTAssertEqual(config.streams[0].outputs, ["ndjson:-"])
        XCTAssertEqual(config.streams[0].settings, StreamSettings())
        XCTAssertEqual(StreamSettings().maxHands, 2)
        XCTAssertFalse(StreamSettings().mirrored, "recorded files and cameras are not mirrored")
        XCTAssertEqual(StreamSettings().socketMode, 0o660)
    }

    func testModesModelsAndIntegersWhereNumbersAreExpected() throws {
        let text = """
        [defaults]
        socket_mode = "0600"
        model = "mano:/models/MANO_RIGHT.pkl"
        [[streams]]
        name = "a"
        input = "x.mp4"
        socket_mode = 0o640
        precision = "float32"
        [streams.camera]
        fx = 600
        fy = 601.5
        cx = 320
        cy = 240
        k1 = -0.25
        """
        let config = try ConfigLoader.parse(text, file: "t.toml")
        XCTAssertEqual(config.defaults.socketMode, 0o600)
        XCTAssertEqual(config.streams[0].settings.socketMode, 0o640)
        XCTAssertEqual(config.streams[0].settings.model, .mano(path: "/models/MANO_RIGHT.pkl"))
        XCTAssertEqual(config.defaults.precision, .int8, "int8 unless the file says otherwise")
        XCTAssertEqual(config.streams[0].settings.precision, .float32)
        XCTAssertEqual(config.streams[0].settings.camera?.fx, 600)
        XCTAssertEqual(config.streams[0].settings.camera?.distortion, [-0.25, 0, 0, 0, 0])
    }

    /// Each bad file must fail with its file name, the key path, and what was expected.
    func testEveryBadValueIsNamedByItsKeyPath() {
        let stream = "[[streams]]\nname = \"a\"\ninput = \"x.mp4\"\n"
        let cases: [(text: String, location: String, message: String)] = [
            ("colour = 1\n", "colour", "unknown key"),
            ("log_level = \"loud\"\n", "log_level", "expected one of trace"),
            ("[defaults]\nmax_hands = 0\n", "defaults.max_hands", "from 1 to 8, got 0"),
            ("[defaults]\nmax_dimension = \"big\"\n", "defaults.max_dimension", "got \"big\""),
            ("[defaults]\nmirrored = 1\n", "defaults.mirrored", "expected true or false"),
            ("[defaults]\nstill_images = \"auto\"\n", "defaults.still_images", "expected true or false"),
            ("[defaults]\nlive = \"yes\"\n", "defaults.live", "expected true or false"),
            ("[defaults]\nsocket_mode = \"0999\"\n", "defaults.socket_mode", "file mode"),
            ("[defaults]\nsocket_mode = 0o1777\n", "defaults.socket_mode", "from 0 to 511"),
            ("[defaults]\nclient_buffer_bytes = 10\n", "defaults.client_buffer_bytes", "from 4096"),
            ("[defaults]\nmodel = \"smpl\"\n", "defaults.model", "\"builtin\" or \"mano:PATH\""),
            ("[defaults]\nread_timeout = -1\n", "defaults.read_timeout", "more than 0"),
            ("[defaults]\nprecision = \"fp16\"\n", "defaults.precision", "expected \"int8\" or \"float32\", got \"fp16\""),
            ("[defaults.reconnect]\ninitial_delay = 5.0\nmax_delay = 1.0\n", "defaults.reconnect.max_delay", "at least initial_delay"),
            ("[defaults.reconnect]\ntries = 3\n", "defaults.reconnect.tries", "unknown key"),
            (stream + stream + "[[streams]]\nname = \"b\"\ninput = \"y\"\n[streams.camera]\nfx = \"abc\"\nfy = 1\ncx = 1\ncy = 1\n",
             "streams[2].camera.fx", "expected pixels, from 1 to 1e6, got \"abc\""),
            // Absurd intrinsics overflow the projection into null fields (issue 19, item 8).
            (stream + "[streams.camera]\nfx = 1e-300\nfy = 500\ncx = 1\ncy = 1\n", "streams[0].camera.fx", "expected pixels, from 1 to 1e6, got 1e-300"),
            (stream + "[streams.camera]\nfx = 500\nfy = 1e308\ncx = 1\ncy = 1\n", "streams[0].camera.fy", "expected pixels, from 1 to 1e6, got 1e+308"),
            (stream + "[streams.camera]\nfx = 500\nfy = 500\ncx = 1e300\ncy = 1\n", "streams[0].camera.cx", "expected pixels, from -1e6 to 1e6, got 1e+300"),
            ("[defaults.camera]\nfx = 500\nfy = 500\ncx = 1\ncy = 1\nk1 = inf\n", "defaults.camera.k1", "expected a finite number"),
            (stream + "[streams.camera]\nfx = 500\n", "streams[0].camera.fy", "missing"),
            (stream + "[streams.camera]\nfx = 500\nfy = 500\ncx = 1\ncy = 1\nk4 = 0.1\n", "streams[0].camera.k4", "unknown key"),
            (stream + "outputs = [\"tcp:1234\"]\n", "streams[0].outputs[0]", "expected ndjson:-"),
            (stream + "outputs = [\"ndjson:-\", 5]\n", "streams[0].outputs[1]", "expected a string"),
            (stream + "fps = 30\n", "streams[0].fps", "unknown key"),
            ("[defaults]\nmask = \"m.mp4\"\n", "defaults.mask", "unknown key"),
            ("[defaults]\nsnapshot = \"s.png\"\n", "defaults.snapshot", "unknown key"),
            (stream + "snapshot = 5\n", "streams[0].snapshot", "expected a PNG file path"),
            (stream + "mask = \"\"\n", "streams[0].mask", "expected a mask video"),
            (stream + "input_is_mask = true\nmask = \"m.mp4\"\n", "streams[0].mask", "input_is_mask says the input is already a mask"),
            (stream + "mask_hand = \"both\"\n", "streams[0].mask_hand", "expected \"right\" or \"left\", got \"both\""),
            (stream + stream, "streams[1].name", "already the name of streams[0]"),
            ("[[streams]]\nname = \"bad name\"\ninput = \"x\"\n", "streams[0].name", "A-Z"),
            ("[[streams]]\nname = \"a\"\n", "streams[0]", "missing key \"input\""),
            ("streams = 3\n", "streams", "array of tables"),
            ("[[streams]]\nname = \"a\"\ninput = \"x\"\noutputs = [\"unix:/s\"]\n[[streams]]\nname = \"b\"\ninput = \"y\"\noutputs = [\"unix:/s\"]\n",
             "streams[1].outputs[0]", "already an output of streams[0]"),
            ("[defaults\nmax_hands = 2\n", "line 1, column 10", "TOML syntax"),
            ("log_level = \"info\"\nlog_level = \"debug\"\n", "line 2, column 13", "TOML syntax"),
            ("a = \"x\u{0}y\"\n", "line 1", "NUL"),
            // toml++ aborts on these unless they are refused before it sees them.
            ("[[\u{FFFD}streams]]\n", "line 1, column 3", "a table header must start with a key"),
            ("log_level = \"info\"\n  [# comment where a key belongs\n", "line 2, column 4", "a table header must start with a key"),
            ("[defaults]\nmodels_dir = \"x\" # \u{FFFD}\nmax_hands = \u{FFFD}2\n", "line 3, column 13", "non-ASCII"),
            ("[[streams]]\noutputs = [\n  }\"ndjson:-\"]\n", "line 3, column 3", "'}' inside an array"),
            ("# ünïcödé comments are fine\n[defaults]\nmodels_dir = \"Mödels\"\nmax_hands = 2 ✋\n", "line 4, column 15", "non-ASCII"),
        ]
        for (text, location, message) in cases {
            XCTAssertThrowsError(try ConfigLoader.parse(text, file: "/etc/handmesh.toml"), text) { error in
                guard let error = error as? ConfigError else {
                    return XCTFail("not a ConfigError: \(error)")
                }
                let line = error.description
                XCTAssertTrue(line.hasPrefix("/etc/handmesh.toml: \(location):"), "\(line) should name \(location)")
                XCTAssertTrue(line.contains(message), "\(line) should say \(message)")
                XCTAssertFalse(line.contains("\n"), "one line: \(line)")
            }
        }
    }

    func testValidTOMLIsNotRefusedBeforeParsing() throws {
        let text = """
        # ✋ comment
        [defaults] # ünï
        models_dir = "/models/✋" # x
        [ defaults.reconnect ]
        max_attempts = 3
        [[streams]]
        name = "a"
        input = \'\'\'
        [x
        ]\'\'\'
        outputs = [
          "ndjson:-", # [not a header
          "unix:/s",
        ]

        """
        let config = try ConfigLoader.parse(text, file: "ok.toml")
        XCTAssertEqual(config.defaults.modelsDir, "/models/✋")
        XCTAssertEqual(config.defaults.reconnect.maxAttempts, 3)
        XCTAssertEqual(config.streams.first?.input, "[x\n]")
        XCTAssertEqual(config.streams.first?.outputs, ["ndjson:-", "unix:/s"])
    }

    /// A daemon's working directory is anyone's guess; the config's own folder is not (issue 19, item 18).
    func testARelativeModelsDirIsTakenFromTheConfigsFolder() throws {
        let text = "[defaults]\nmodels_dir = \"models\"\n[[streams]]\nname = \"a\"\ninput = \"x\"\nmodels_dir = \"../m2\"\n"
        let config = try ConfigLoader.parse(text, file: "/etc/handmesh/handmesh.toml")
        XCTAssertEqual(config.defaults.modelsDir, "/etc/handmesh/models")
        XCTAssertEqual(config.streams[0].settings.modelsDir, "/etc/handmesh/../m2")
        XCTAssertEqual(try ConfigLoader.parse(text, file: "conf/h.toml").defaults.modelsDir, "conf/models")
        XCTAssertEqual(try ConfigLoader.parse(text, file: "h.toml").defaults.modelsDir, "models", "the config's folder is the working one")
        XCTAssertEqual(try ConfigLoader.parse("[defaults]\nmodels_dir = \"/var/m\"\n", file: "/etc/h.toml").defaults.modelsDir, "/var/m")
    }

    func testAMissingFileIsNamed() {
        XCTAssertThrowsError(try ConfigLoader.load(path: "/nonexistent/handmesh.toml")) { error in
            XCTAssertEqual("\(error)", "/nonexistent/handmesh.toml: cannot read: no such file")
        }
    }

    /// Mutated TOML must give a ConfigError or a valid config, never a crash or a hang.
    func testMutatedConfigsNeverCrash() throws {
        let original = Array(try String(contentsOfFile: Fixtures.exampleConfigPath, encoding: .utf8).utf8)
        let tokens = ["[", "]", "[[", "]]", "=", "\"", "'", "\"\"\"", "\n", "#", ".", ",", "{", "}", "0x", "0o7", "1e999",
                      "-", "nan", "inf", "true", "1979-05-27T07:32:00Z", "\\u0000", "\\", "streams", "camera", "é", "\u{FEFF}"]
            .map { Array($0.utf8) }
        var random = SplitMix64(seed: ProcessInfo.processInfo.environment["HANDMESH_FUZZ_SEED"].flatMap { UInt64($0) } ?? 2026)
        var accepted = 0
        var rejected = 0
        // HANDMESH_FUZZ_ITERATIONS runs a longer campaign; the default keeps the suite quick.
        let iterations = ProcessInfo.processInfo.environment["HANDMESH_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 3000
        for _ in 0..<iterations {
            var text = original
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let at = Int(random.next() % UInt64(text.count + 1))
                switch random.next() % 5 {
                case 0: text.insert(contentsOf: tokens[Int(random.next() % UInt64(tokens.count))], at: at)
                case 1: text.removeSubrange(at..<min(at + Int(random.next() % 12), text.count))
                case 2: if at < text.count { text[at] = UInt8(truncatingIfNeeded: random.next()) }
                case 3:
                    let from = Int(random.next() % UInt64(text.count))
                    let slice = Array(text[from..<min(from + Int(random.next() % 80), text.count)])
                    text.insert(contentsOf: slice, at: at)
                default:
                    let lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                    let keep = lines.filter { _ in random.next() % 8 != 0 }
                    text = Array(keep.joined(separator: [UInt8(ascii: "\n")]))
                }
            }
            // HANDMESH_FUZZ_DUMP keeps the input being parsed in a file, to reproduce a crash.
            if let dump = ProcessInfo.processInfo.environment["HANDMESH_FUZZ_DUMP"] {
                _ = FileManager.default.createFile(atPath: dump, contents: Data(text))
            }
            do {
                let config = try ConfigLoader.parse(String(decoding: text, as: UTF8.self), file: "fuzz.toml")
                accepted += 1
                for stream in config.streams {
                    XCTAssertFalse(stream.name.isEmpty)
                    XCTAssertTrue((1...8).contains(stream.settings.maxHands))
                    XCTAssertLessThanOrEqual(stream.settings.socketMode, 0o777)
                }
            } catch let error as ConfigError {
                rejected += 1
                XCTAssertTrue(error.description.hasPrefix("fuzz.toml: "))
            }
        }
        XCTAssertGreaterThan(accepted, 0, "some mutations are harmless")
        XCTAssertGreaterThan(rejected, 0, "most mutations break something")
    }
}
