// swift-tools-version:6.0
import PackageDescription

// Compiled in the Swift 5 language mode: the numeric kernels hand disjoint slices of one buffer
// to parallel workers, which Swift 6's data-race checker cannot express.
// NeuralCore's element-wise kernels (BatchNorm, activations, Winograd transforms) are loops the
// compiler vectorises; for x86-64 it is told it may use AVX2 and FMA (every x86 server CPU since
// Intel Haswell, 2013, and AMD Zen), which runs them two to three times faster than the SSE2
// baseline. Floating-point results do not change: Swift never contracts a·b + c into an FMA.
#if arch(x86_64)
let kernelSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let kernelSettings: [SwiftSetting] = []
#endif

let package = Package(
    name: "FreezeStudy",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "freeze-study", targets: ["freeze-study"]),
        .executable(name: "freeze-bench", targets: ["freeze-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // System libraries (module maps + pkg-config).
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),

        // Layers of the code, each depending only on those above it (DESIGN.md).
        .target(name: "HDF5", dependencies: ["CHDF5"]),
        .target(name: "ConfigFile", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "NeuralCore", dependencies: ["COpenBLAS"], swiftSettings: kernelSettings),
        .target(name: "Checkpoints", dependencies: ["NeuralCore"]),
        .target(name: "YOLOv5", dependencies: ["NeuralCore", "ConfigFile", "Checkpoints"]),
        .target(name: "VOCData", dependencies: ["NeuralCore", "ConfigFile", "CTurboJPEG"]),
        .target(name: "Training", dependencies: ["NeuralCore", "YOLOv5", "ConfigFile", "Checkpoints", "CLibCrypto"]),
        .target(name: "Distributed", dependencies: ["CMPI", "NeuralCore", "Training"]),
        .target(name: "Statistics"),
        .target(name: "Results", dependencies: ["HDF5"]),
        .target(name: "Report", dependencies: ["Results", "Statistics", "HDF5"]),
        .target(name: "Study", dependencies: ["Results", "Report", "ConfigFile", "Checkpoints", "YOLOv5", "VOCData", "Training",
                                             "Distributed", "CLibCrypto"]),

        // Commands.
        .executableTarget(name: "freeze-study", dependencies: [
            "YOLOv5", "VOCData", "Training", "Results", "Report", "Study",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Trains a few steps on MPI ranks for the tests of data-parallel training (not a product).
        .executableTarget(name: "distributed-check", dependencies: ["Distributed", "Training", "YOLOv5", "Checkpoints", "NeuralCore"]),
        .executableTarget(name: "freeze-bench", dependencies: [
            "NeuralCore", "YOLOv5", "VOCData", "Training",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests.
        .target(name: "TestSupport", dependencies: ["NeuralCore", "HDF5", "ConfigFile"], path: "Tests/TestSupport"),
        .testTarget(name: "TestSupportTests", dependencies: ["TestSupport"]),
        .testTarget(name: "NeuralCoreTests", dependencies: ["NeuralCore", "TestSupport"]),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints", "TestSupport", "HDF5"]),
        .testTarget(name: "YOLOv5Tests", dependencies: ["YOLOv5", "TestSupport", "HDF5"]),
        .testTarget(name: "VOCDataTests", dependencies: ["VOCData", "ConfigFile", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "YOLOv5", "Checkpoints", "TestSupport", "HDF5"]),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics"]),
        .testTarget(name: "ResultsTests", dependencies: ["Results", "TestSupport", "HDF5"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Results", "Statistics", "TestSupport"],
                    exclude: ["CrossCheckFixtures"]),  // read from the source tree by path
        .testTarget(name: "StudyTests", dependencies: [
            "Study", "Results", "Report", "TestSupport", "HDF5", "ConfigFile", "YOLOv5", "Training", "VOCData", "NeuralCore",
        ]),
    ],
    swiftLanguageModes: [.v5]
)
