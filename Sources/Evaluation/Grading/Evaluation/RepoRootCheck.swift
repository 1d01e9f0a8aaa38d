import DockerEngine
import Foundation
import Tasks

/// The row's `repo_root` must be a folder of the image with the repository in it. Docker creates
/// a missing working directory, empty, so without this check the tests would run in an empty
/// folder and the instance would count as an ordinary failure instead of a broken row or image.
enum RepoRootCheck {
    /// Nil when `repo_root` holds files; otherwise what is wrong and what to do.
    static func problem(client: DockerClient, containerID: String, task: TaskRow) async -> String? {
        let script = "[ -d \"$1\" ] && [ -n \"$(ls -A \"$1\" 2>/dev/null)\" ]"
        guard let result = try? await client.exec(container: containerID, ["sh", "-c", script, "sh", task.repoRoot],
                                                  timeout: .seconds(60)) else { return nil }
        guard result.exitCode != 0 else { return nil }
        return "repo_root \(task.repoRoot) is missing or empty in image \(task.image) (instance \(task.instanceID)); "
            + "set the row's repo_root to where the image keeps the repository"
    }
}
