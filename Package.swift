// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Forager",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "forager", targets: ["forager"]),
        .library(name: "DockerEngine", targets: ["DockerEngine"]),
        .library(name: "AgentTools", targets: ["AgentTools"]),
        .library(name: "Inference", targets: ["Inference"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // System-library shim: libcurl's variadic setopt/getinfo wrapped in typed inline functions.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // libcurl behind async/await: the Docker engine's socket and OpenAI-compatible model servers.
        .target(name: "HTTPTransport", dependencies: ["CCurl"]),
        .target(
            name: "DockerEngine",
            dependencies: ["CCurl", "HTTPTransport", .product(name: "Logging", package: "swift-log")]
        ),
        .target(name: "ImageRecipes", dependencies: ["DockerEngine"]),
        .target(name: "Benchmarks", dependencies: ["DockerEngine", "Sandbox", "Agent", "AgentTools", "Grading", "Tasks"]),
        .target(name: "AgentTools"),
        .target(name: "Sandbox", dependencies: ["DockerEngine"]),
        .target(name: "Agent", dependencies: ["AgentTools", "Sandbox", "Inference", "HTTPTransport"]),
        .target(name: "Tasks"),
        .target(name: "Runner", dependencies: ["Agent", "AgentTools", "Trajectories", "Grading", "Tasks", "Sandbox", "DockerEngine", "Inference"]),
        .target(name: "Grading", dependencies: ["Tasks", "Sandbox", "DockerEngine", "CGit2"]),
        .target(name: "Foraging", dependencies: ["Grading", "Tasks", "Sandbox", "DockerEngine", "CGit2"]),
        .target(name: "Replay", dependencies: ["Agent", "AgentTools", "Sandbox", "DockerEngine", "Trajectories", "Grading", "Tasks", "Runner"]),
        // Quantized dot products, dequantization, thread pool: AVX2/FMA chosen at run time per
        // function (target attributes), portable C otherwise. Optimized even in debug builds so
        // the model tests run at a usable speed; no FMA contraction, so rounding is the same with
        // every compiler and the parity fixtures stay valid.
        .target(
            name: "CInferenceKernels",
            cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off"])]
        ),
        .target(name: "Inference", dependencies: ["CInferenceKernels"]),
        // Leaf module: runs, episodes and steps in SQLite (WAL), and their exports.
        .target(name: "Trajectories", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        // `forager view`: server-rendered pages over a trajectory database.
        .target(name: "Viewer", dependencies: ["Trajectories", .product(name: "Hummingbird", package: "hummingbird")]),
        .executableTarget(
            name: "forager",
            dependencies: [
                "DockerEngine",
                "ImageRecipes",
                "Benchmarks",
                "Sandbox",
                "Grading",
                "Tasks",
                "Inference",
                "Trajectories",
                "Runner",
                "Agent",
                "Foraging",
                "Replay",
                "Viewer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "DockerEngineTests", dependencies: ["DockerEngine"]),
        .testTarget(name: "ImageRecipesTests", dependencies: ["ImageRecipes"]),
        .testTarget(name: "AgentToolsTests", dependencies: ["AgentTools", "Agent", "Sandbox", "DockerEngine"]),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox", "DockerEngine"]),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "AgentTools", "Sandbox", "DockerEngine", "Inference", "HTTPTransport"]),
        .testTarget(
            name: "GradingTests",
            dependencies: ["Grading", "Tasks", "Sandbox", "DockerEngine", "ImageRecipes"],
            resources: [.copy("Fixtures"), .copy("SimilarityFixtures")]
        ),
        .testTarget(name: "TasksTests", dependencies: ["Tasks"]),
        .testTarget(name: "ForagingTests", dependencies: ["Foraging", "Grading", "Tasks", "Sandbox", "DockerEngine", "ImageRecipes", "Trajectories"]),
        .testTarget(name: "ReplayTests", dependencies: ["Replay", "Runner", "Agent", "Trajectories", "Tasks", "DockerEngine", "ImageRecipes", "Inference", "Sandbox"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Agent", "Trajectories", "Tasks", "DockerEngine", "ImageRecipes", "Inference"]),
        .testTarget(
            name: "TrajectoriesTests",
            dependencies: ["Trajectories", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "ViewerTests", dependencies: ["Viewer", "Trajectories", "DockerEngine", "ImageRecipes"]),
        .testTarget(
            name: "InferenceTests",
            dependencies: ["Inference"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
