import ArgumentParser
import Grading
import Tasks

extension GradingMode: ExpressibleByArgument {}

/// Where the official SWE-bench images of rows without an `image` come from.
struct OfficialImageOptions: ParsableArguments {
    @Option(help: "Namespace of the official images of rows without an 'image' (swebench/sweb.eval.<arch>.<id>).")
    var imageNamespace = "swebench"

    @Option(help: "Architecture in the official image names (x86_64, arm64).")
    var arch = "x86_64"

    @Option(help: "Registry HOST:PORT to pull the official images from (default: Docker Hub).")
    var registry: String?

    var official: OfficialImage { OfficialImage(namespace: imageNamespace, arch: arch, registry: registry) }

    /// The rows, each with its image (the row's own, else the official one under these options).
    func apply(_ rows: [TaskRow]) -> [TaskRow] { rows.map { $0.withOfficialImage(official) } }
}
