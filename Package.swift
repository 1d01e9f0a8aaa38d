// swift-tools-version: 6.0
import PackageDescription

// Targets live in layer folders under Sources/ (see ARCHITECTURE.md): a target may import only
// targets of its own layer or of the layers listed before it.
//   Infrastructure  C shims, the HTTP transport, the Docker Engine client, image recipes
//   Data            task rows and predictions, the trajectory store
//   Environment     the sandbox (container, shell, files) and CWM's tools
//   Agent           the in-process model engine, the episode loop and its model backends
//   Evaluation      grading patches with hidden tests
//   Episodes        an agent's episode against a Docker sandbox and its grader
//   Workflows       run, replay, forage, benchmarks, the viewer
//   Commands        the `forager` command line
func layer(_ name: String, _ target: String) -> String { "Sources/\(name)/\(target)" }

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
        // MARK: Infrastructure
        // System-library shim: libcurl's variadic setopt/getinfo wrapped in typed inline functions.
        .systemLibrary(
            name: "CCurl",
            path: layer("Infrastructure", "CCurl"),
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CGit2",
            path: layer("Infrastructure", "CGit2"),
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        // libcurl behind async/await: the Docker engine's socket and OpenAI-compatible model servers.
        .target(name: "HTTPTransport", dependencies: ["CCurl"], path: layer("Infrastructure", "HTTPTransport")),
        .target(
            name: "DockerEngine",
            dependencies: ["CCurl", "HTTPTransport", .product(name: "Logging", package: "swift-log")],
            path: layer("Infrastructure", "DockerEngine")
        ),
        .target(name: "ImageRecipes", dependencies: ["DockerEngine", "ForagerSupport"], path: layer("Infrastructure", "ImageRecipes")),
        // Small pieces every layer uses: seconds of a Duration, running a host process, Python `str` semantics.
        .target(name: "ForagerSupport", path: layer("Infrastructure", "ForagerSupport")),

        // MARK: Data
        .target(name: "Tasks", dependencies: ["ForagerSupport"], path: layer("Data", "Tasks"), resources: [.copy("Resources/swebench-specs.json")]),
        // Runs, episodes and steps in SQLite (WAL), and their exports.
        .target(
            name: "Trajectories",
            dependencies: ["ForagerSupport", .product(name: "GRDB", package: "GRDB.swift")],
            path: layer("Data", "Trajectories")
        ),

        // MARK: Environment
        .target(name: "Sandbox", dependencies: ["DockerEngine"], path: layer("Environment", "Sandbox")),
        .target(name: "AgentTools", dependencies: ["ForagerSupport"], path: layer("Environment", "AgentTools")),

        // MARK: Agent
        // Quantized dot products, dequantization, thread pool: AVX2/FMA chosen at run time per
        // function (target attributes), portable C otherwise. Optimized even in debug builds so
        // the model tests run at a usable speed; no FMA contraction, so rounding is the same with
        // every compiler and the parity fixtures stay valid.
        .target(
            name: "CInferenceKernels",
            path: layer("Agent", "CInferenceKernels"),
            cSettings: [.unsafeFlags(["-O2", "-ffp-contract=off"])]
        ),
        .target(name: "Inference", dependencies: ["CInferenceKernels", "ForagerSupport"], path: layer("Agent", "Inference")),
        .target(name: "Agent", dependencies: ["AgentTools", "Inference", "HTTPTransport", "ForagerSupport"], path: layer("Agent", "Agent")),

        // MARK: Evaluation
        .target(name: "Grading", dependencies: ["Tasks", "Sandbox", "DockerEngine", "CGit2", "ForagerSupport"], path: layer("Evaluation", "Grading")),

        // MARK: Episodes
        // The agent's environment in a Docker sandbox (the shell and files behind the tools) and
        // the episode services run, replay and forage share: the sandbox factory and the grader.
        .target(
            name: "DockerEnvironment",
            dependencies: ["Agent", "AgentTools", "Sandbox", "Grading", "Tasks", "DockerEngine", "ForagerSupport"],
            path: layer("Episodes", "DockerEnvironment")
        ),

        // MARK: Workflows
        .target(
            name: "Runner",
            dependencies: ["DockerEnvironment", "Agent", "AgentTools", "Trajectories", "Grading", "Tasks", "Sandbox", "DockerEngine"],
            path: layer("Workflows", "Runner")
        ),
        .target(
            name: "Replay",
            dependencies: ["DockerEnvironment", "Agent", "AgentTools", "Sandbox", "DockerEngine", "Trajectories", "Grading", "Tasks"],
            path: layer("Workflows", "Replay")
        ),
        .target(
            name: "Foraging",
            dependencies: ["Grading", "Tasks", "Sandbox", "DockerEngine", "CGit2", "ForagerSupport"],
            path: layer("Workflows", "Foraging"),
            // Resources/: the Python helpers copied into repository containers (PythonHelper), plain .py files.
            resources: [.copy("Resources")]
        ),
        .target(
            name: "Benchmarks",
            dependencies: ["DockerEnvironment", "DockerEngine", "Sandbox", "Agent", "AgentTools", "Grading", "Tasks", "ForagerSupport"],
            path: layer("Workflows", "Benchmarks")
        ),
        // `forager trace`: Python execution traces in CWM's frame format (tracer.py runs in the sandbox).
        .target(
            name: "ExecutionTraces",
            dependencies: ["Foraging", "Grading", "Agent", "Trajectories", "Tasks", "Sandbox", "DockerEngine", "ForagerSupport"],
            path: layer("Workflows", "ExecutionTraces"),
            resources: [.copy("Resources/tracer.py")]
        ),
        // `forager env build`: environments (image + repository spec) from PyPI releases, archives, git repositories.
        .target(
            name: "Environments",
            dependencies: ["Grading", "ImageRecipes", "ForagerSupport"],
            path: layer("Workflows", "Environments")
        ),
        // `forager serve`: the in-process engine behind OpenAI-compatible routes, on Hummingbird.
        .target(
            name: "ModelServer",
            dependencies: ["Agent", "Inference", "ForagerSupport", .product(name: "Hummingbird", package: "hummingbird")],
            path: layer("Agent", "ModelServer")
        ),
        // `forager view`: server-rendered pages over a trajectory database.
        .target(
            name: "Viewer",
            dependencies: ["Trajectories", .product(name: "Hummingbird", package: "hummingbird")],
            path: layer("Workflows", "Viewer")
        ),

        // MARK: Commands
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
                "AgentTools",
                "DockerEnvironment",
                "Foraging",
                "Replay",
                "Viewer",
                "ModelServer",
                "ExecutionTraces",
                "Environments",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: layer("Commands", "forager")
        ),

        // MARK: Tests
        .testTarget(name: "ForagerSupportTests", dependencies: ["ForagerSupport"]),
        .testTarget(name: "ArchitectureTests", dependencies: ["TestSupport"]),
        // What the test targets share: the Docker-tests switch, the `forager` of the build in
        // use, the package root, test images, free ports and child processes.
        .target(name: "TestSupport", dependencies: ["DockerEngine", "ImageRecipes", "ModelServer"], path: "Tests/TestSupport"),
        .testTarget(name: "DockerEngineTests", dependencies: ["DockerEngine", "TestSupport"]),
        .testTarget(name: "ImageRecipesTests", dependencies: ["ImageRecipes", "TestSupport"]),
        .testTarget(name: "AgentToolsTests", dependencies: ["AgentTools", "Agent", "DockerEnvironment", "Sandbox", "DockerEngine", "ForagerSupport", "TestSupport"]),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox", "DockerEngine", "TestSupport"]),
        .testTarget(name: "AgentTests", dependencies: ["Agent", "AgentTools", "DockerEnvironment", "Sandbox", "DockerEngine", "Inference", "HTTPTransport", "ModelServer", "TestSupport"]),
        .testTarget(name: "ModelServerTests", dependencies: ["ModelServer", "Agent", "Inference", "TestSupport"]),
        .testTarget(
            name: "GradingTests",
            dependencies: ["Grading", "Tasks", "Sandbox", "DockerEngine", "ImageRecipes", "TestSupport"],
            resources: [.copy("Fixtures"), .copy("SimilarityFixtures")]
        ),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "ForagerSupport", "TestSupport"]),
        .testTarget(name: "DockerEnvironmentTests", dependencies: ["DockerEnvironment", "Agent"]),
        .testTarget(name: "ForagingTests", dependencies: ["Foraging", "Grading", "Tasks", "Sandbox", "DockerEngine", "ImageRecipes", "Trajectories", "TestSupport"]),
        .testTarget(name: "ReplayTests", dependencies: ["Replay", "Runner", "DockerEnvironment", "Agent", "Trajectories", "Tasks", "DockerEngine", "ImageRecipes", "Inference", "Sandbox", "TestSupport"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "DockerEnvironment", "Agent", "Trajectories", "Tasks", "DockerEngine", "ImageRecipes", "Inference", "TestSupport",
                                                  .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "TrajectoriesTests",
            dependencies: ["Trajectories", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "TracingTests",
            dependencies: ["ExecutionTraces", "Trajectories", "Foraging", "Tasks", "Agent", "Inference", "DockerEngine", "ImageRecipes", "Sandbox",
                           "ForagerSupport", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "EnvironmentsTests", dependencies: ["Environments", "Foraging", "Trajectories", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ViewerTests", dependencies: ["Viewer", "Trajectories", "DockerEngine", "ImageRecipes", "TestSupport"]),
        .testTarget(
            name: "InferenceTests",
            dependencies: ["Inference", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
    ]
)
