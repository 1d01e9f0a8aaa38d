import Foundation

extension TaskRow {
    /// The commands an agent's session shell runs after its start script so that it is the shell
    /// SWE-bench's images are made for: for a classic row whose repository and version the
    /// harness's specifications know, the activation its eval script uses (`source
    /// /opt/miniconda3/bin/activate && conda activate testbed`, from the specifications' data).
    /// Empty for rows that say themselves how their tests run (`test_cmd`, `eval_script`).
    public func sessionStartupCommands(specs: SWEBenchSpecs = .bundled) -> String {
        guard isClassic, specs.spec(repo: repo, version: version) != nil else { return "" }
        return specs.evalScript.activate.joined(separator: " && ")
    }
}
