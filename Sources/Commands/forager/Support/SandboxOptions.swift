import ArgumentParser
import Foundation
import Sandbox

/// The limits and permissions of sandboxes, shared by every command that starts them.
struct SandboxOptions: ParsableArguments {
    @Option(help: "Memory limit (e.g. 8g, 512m).")
    var memory: String = "8g"

    @Option(help: "Memory plus swap (default: the memory limit, i.e. no swap).")
    var memorySwap: String?

    @Option(help: "CPUs.")
    var cpus: Double = 2.0

    @Option(help: "Processes and threads.")
    var pids: Int64 = 4096

    @Flag(help: "Give the agent network access (off by default: only loopback).")
    var network = false

    @Option(help: "Seconds after which the container stops, whatever happens.")
    var lifetime: Int = 7200

    @Option(help: "Seconds a single shell command may run.")
    var sessionTimeout: Double = 120

    @Option(help: "Warm sandboxes kept started (session open, history scrubbed where the task allows) per image, refilled in the background; never reused across episodes (0: cold starts).")
    var warm: Int = 0

    func config(image: String, repoRoot: String, runID: String, role: SandboxConfig.Role) throws -> SandboxConfig {
        SandboxConfig(
            image: image, repoRoot: repoRoot, runID: runID, role: role,
            memoryBytes: try Self.bytes(memory, option: "--memory"),
            memorySwapBytes: try memorySwap.map { try Self.bytes($0, option: "--memory-swap") },
            cpus: cpus, pidsLimit: pids, network: network, lifetime: .seconds(lifetime))
    }

    var shellOptions: PersistentShell.Options {
        PersistentShell.Options(commandTimeout: .milliseconds(Int64(sessionTimeout * 1000)))
    }

    /// `512m`, `8g`, `1.5g`, or a number of bytes.
    static func bytes(_ text: String, option: String) throws -> Int64 {
        let lower = text.lowercased().trimmingCharacters(in: .whitespaces)
        let units: [(String, Double)] = [("k", 1024), ("m", 1_048_576), ("g", 1_073_741_824), ("t", 1_099_511_627_776)]
        for (suffix, factor) in units {
            let stripped = lower.hasSuffix(suffix + "b") ? String(lower.dropLast(2)) : lower.hasSuffix(suffix) ? String(lower.dropLast()) : nil
            if let stripped, let value = Double(stripped), value > 0 { return Int64(value * factor) }
        }
        guard let value = Int64(lower), value > 0 else {
            throw CommandFailure("\(option) \(text): expected a size such as 512m or 8g")
        }
        return value
    }
}
