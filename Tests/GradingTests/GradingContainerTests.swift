import DockerEngine
import Foundation
import Tasks
import Testing
import TestSupport
@testable import Grading
@testable import Sandbox

@Suite("The grading container in each mode", .enabled { await dockerTestsEnabled() })
struct GradingContainerTests {
    func hostConfig(sweBench: Bool) async throws -> HostConfig {
        let evaluator = InstanceEvaluator(client: try await DockerClient.connect(), grade: Grader.grade)
        let task = TaskRow(instanceID: "pallets__flask-2.3.2", image: "forager/sweb.eval.x86_64.pallets_1776_flask-2.3.2:latest")
        let config = evaluator.sandboxConfig(task, runID: "r", timeout: .seconds(1800), sweBench: sweBench)
        return try #require(config.containerSpec().hostConfig)
    }

    @Test("SWE-bench modes: network on and no memory, CPU or process limits, as the harness creates its containers")
    func sweBench() async throws {
        let host = try await hostConfig(sweBench: true)
        #expect(host.networkMode == "bridge")
        #expect(host.memory == nil && host.memorySwap == nil && host.nanoCpus == nil && host.pidsLimit == nil)
    }

    @Test("Forager's grading: network off, 8 GiB without swap, 2 CPUs, 4096 processes")
    func forager() async throws {
        let host = try await hostConfig(sweBench: false)
        #expect(host.networkMode == "none")
        #expect(host.memory == 8 << 30 && host.memorySwap == 8 << 30)
        #expect(host.nanoCpus == 2_000_000_000 && host.pidsLimit == 4096)
    }
}
