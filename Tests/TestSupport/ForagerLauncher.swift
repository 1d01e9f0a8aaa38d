import Foundation

/// The `forager` executable of the build the tests belong to: SwiftPM puts it in the same
/// products folder as the test bundle (`<scratch path>/<triple>/<debug|release>/`), so a
/// `--scratch-path` build or a release build (`swift test -c release`) runs its own binary,
/// never a stale `.build/debug/forager` of another build.
public enum ForagerLauncher {
    /// Set to a path to run that `forager` instead.
    public static let overrideVariable = "FORAGER_EXECUTABLE"

    /// The products folder holding the running test bundle.
    public static var productsDirectory: URL? {
        if let bundle = Bundle.allBundles.first(where: { $0.bundleURL.pathExtension == "xctest" }) {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        // On Linux the test bundle is the executable itself (ForagerPackageTests.xctest).
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments.first ?? "")
        return executable.resolvingSymlinksInPath().deletingLastPathComponent()
    }

    /// The executable, or an error naming where it was looked for and how to make it.
    public static func executable() throws -> URL {
        if let path = ProcessInfo.processInfo.environment[overrideVariable], !path.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw TestFailure(description: "\(overrideVariable)=\(path) is not an executable file")
            }
            return URL(fileURLWithPath: path)
        }
        guard let directory = productsDirectory else {
            throw TestFailure(description: "cannot tell which build folder the tests run from; set \(overrideVariable) to the forager binary")
        }
        let candidate = directory.appendingPathComponent("forager")
        guard FileManager.default.isExecutableFile(atPath: candidate.path) else {
            throw TestFailure(description: """
                no forager executable at \(candidate.path), beside the test bundle: build it with the same \
                options as the tests (swift build --build-tests, with the same -c and --scratch-path), \
                or set \(overrideVariable)
                """)
        }
        return candidate
    }

    /// Starts `forager arguments…` in `directory` (the package root by default). NO_COLOR is
    /// removed from the inherited environment: colour is the caller's choice, through `environment`.
    public static func launch(
        _ arguments: [String], in directory: URL = packageRoot, environment: [String: String] = [:],
        input: ChildProcess.Input = .inherit, output: ChildProcess.Output = .capture,
        errors: ChildProcess.Output = .discard
    ) throws -> ChildProcess {
        try ChildProcess(executable(), arguments, directory: directory, environment: environment, removing: ["NO_COLOR"],
                         input: input, output: output, errors: errors)
    }
}

/// Runs `forager arguments…` to its end in `directory` (the package root by default); its
/// standard output is a pipe, not a terminal, and its standard error is dropped.
@discardableResult
public func forager(
    _ arguments: [String], in directory: URL = packageRoot, environment: [String: String] = [:]
) throws -> (status: Int32, output: String) {
    let result = try ForagerLauncher.launch(arguments, in: directory, environment: environment).finish()
    return (result.status, result.output)
}
