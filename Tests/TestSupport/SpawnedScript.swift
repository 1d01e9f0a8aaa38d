import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a program with `posix_spawn` and reaps it with `waitpid` on a thread of its own, its
/// standard output and error appended to files. For scripts that start long-lived daemons
/// (`Scripts/swarm-testbed up`): Foundation's `Process` was seen to leave such a script a zombie
/// it never noticed had exited, so the test waited forever.
public enum SpawnedScript {
    /// The exit status (128 + signal when a signal ended it; -1 when it could not start or be
    /// reaped), or nil when `timeout` passed first (the program then gets SIGKILL).
    public static func run(_ arguments: [String], stdout: String, stderr: String, timeout: TimeInterval) async -> Int32? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32?, Never>) in
            Thread {
                continuation.resume(returning: runBlocking(arguments, stdout: stdout, stderr: stderr, timeout: timeout))
            }.start()
        }
    }

    static func runBlocking(_ arguments: [String], stdout: String, stderr: String, timeout: TimeInterval) -> Int32? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The test process may block signals its children should not inherit blocked.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        guard posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, environ) == 0 else { return -1 }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { return -1 }
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                return nil
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, spelled out (macros are not imported).
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
