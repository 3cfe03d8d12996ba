// swift-tools-version:6.0
import PackageDescription

// The engine's SIMD kernels are written for AVX2 + FMA on x86-64 (x86-64-v3: Haswell, Zen and
// later); without these flags SIMD8<Float> becomes pairs of SSE ops and addingProduct a libm call.
#if arch(x86_64)
let neuralSwiftSettings: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mfma", "-Xcc", "-mf16c"])]
#else
let neuralSwiftSettings: [SwiftSetting] = []
#endif

// Targets follow the data flow: video in, crop, evidence, fit, records out.
let package = Package(
    name: "HandMesh",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "handmesh", targets: ["handmesh"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // C libraries from Debian's -dev packages.
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat libavcodec libavdevice libswscale libavutil",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavdevice-dev", "libswscale-dev", "libavutil-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),

        // Video in: FFmpeg demux, decode and scale into RGB frames.
        .target(name: "Video", dependencies: ["CFFmpeg"]),
        // The engine's C kernels: the int8 (AVX-512 VNNI) GEMM, dispatched at run time; the depthwise convolution.
        .target(name: "CKernels"),
        // A TFLite reader and an OpenBLAS executor for MediaPipe's hand networks.
        .target(name: "Neural", dependencies: ["COpenBLAS", "CKernels"], swiftSettings: neuralSwiftSettings),
        // Palm detection, hand regions of interest, rotated crops.
        .target(name: "Crop", dependencies: ["Video", "Neural", "CKernels"]),
        // Landmark evidence from a crop, and hand tracks across frames.
        .target(name: "Evidence", dependencies: ["Crop", "Neural", "Video"]),
        // The parametric hand: template, skinning, forward function, model files.
        .target(name: "HandModel", dependencies: ["COpenBLAS"]),
        // Keypoints to hand parameters: regression, refinement, filtering.
        .target(name: "Fitting", dependencies: ["HandModel", "Evidence", "COpenBLAS"], resources: [.copy("Resources/regressor.safetensors")]),
        // Rasterized silhouettes and overlays.
        .target(name: "Render", dependencies: ["HandModel", "Video", "CFFmpeg", "COpenBLAS"]),
        // Hands from silhouettes: mask regions and features, the mask regressor, the silhouette refinement.
        .target(name: "Silhouette", dependencies: ["HandModel", "Fitting", "Render", "COpenBLAS"], resources: [.copy("Resources/mask-regressor.safetensors")]),
        // What goes out: record types and their JSON.
        .target(name: "Records"),
        // Where records go: files, stdout, Unix sockets, an MQTT broker.
        .target(name: "Sinks", dependencies: ["Records", "CMosquitto", .product(name: "Logging", package: "swift-log")]),
        // Counters and histograms for Prometheus, and the endpoint that serves them.
        .target(name: "Metrics", dependencies: ["Sinks"]),
        // The config file, validated; outputs are checked with the sinks' own parsers.
        .target(name: "Configuration", dependencies: ["TOMLKit", "Sinks", "Metrics"]),
        // Stages on Dispatch queues, from a source to the sinks.
        .target(name: "Pipeline", dependencies: [
            "Video", "Neural", "Crop", "Evidence", "HandModel", "Fitting", "Render", "Silhouette", "Records", "Sinks", "Configuration", "Metrics",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Corpora: a manifest of videos, one job per video, resumable, indexed for Slurm and Kubernetes.
        .target(name: "Batch", dependencies: [
            "Pipeline", "Configuration", "Sinks", "Video", .product(name: "Logging", package: "swift-log"),
        ]),
        // The live view in a browser: the latest frame as JPEG and its hands over a WebSocket.
        .target(name: "View", dependencies: [
            "Pipeline", "Video", "HandModel", "Render", "Records", "Sinks",
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "handmesh", dependencies: [
            "Batch", "Pipeline", "Video", "Neural", "Crop", "Evidence", "HandModel", "Fitting", "Render", "Silhouette", "Records", "Sinks", "Configuration", "Metrics", "View",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .testTarget(name: "VideoTests", dependencies: ["Video"]),
        .testTarget(name: "NeuralTests", dependencies: ["Neural", "CKernels"]),
        .testTarget(name: "EvidenceTests", dependencies: ["Crop", "Evidence", "Neural", "Video"]),
        .testTarget(name: "HandModelTests", dependencies: ["HandModel"]),
        .testTarget(name: "FittingTests", dependencies: ["Fitting", "HandModel", "Evidence"]),
        .testTarget(name: "RenderTests", dependencies: ["Render", "HandModel", "Video"]),
        .testTarget(name: "SilhouetteTests", dependencies: ["Silhouette", "Render", "Fitting", "HandModel"]),
        // Test-only: counts the process's heap allocations (HotPathAllocationTests).
        .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Records", "Sinks", "Configuration", "Video", "Fitting", "Metrics", "Batch",
                                                          "AllocationCounter", "Crop", "Evidence", "Neural"]),
    ],
    swiftLanguageModes: [.v6]
)
