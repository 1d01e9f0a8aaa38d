#if canImport(Glibc)
import Glibc

// Glibc's Swift module is imported without _GNU_SOURCE, which hides `pipe2`.
@_silgen_name("pipe2")
private func systemPipe2(_ fds: UnsafeMutablePointer<Int32>, _ flags: Int32) -> Int32
#elseif canImport(Darwin)
import Darwin
#endif

/// Small wrappers over the POSIX calls the local implementations need.
enum SystemCalls {
    /// The text of `errno`.
    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// A pipe whose ends are close-on-exec, so concurrent spawns do not inherit them.
    static func closeOnExecPipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        #if canImport(Glibc)
        guard systemPipe2(&fds, O_CLOEXEC) == 0 else { return nil }
        #else
        guard pipe(&fds) == 0 else { return nil }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        #endif
        return (fds[0], fds[1])
    }

    /// A connected stream socket pair with close-on-exec ends. Used for the shell's stdin so
    /// that writes can pass `MSG_NOSIGNAL` instead of raising SIGPIPE when the shell has died.
    static func closeOnExecSocketPair() -> (parent: Int32, child: Int32)? {
        var fds: [Int32] = [-1, -1]
        #if canImport(Glibc)
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else { return nil }
        #else
        guard socketpair(AF_UNIX, SOCK_STREAM, 0, &fds) == 0 else { return nil }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var one: Int32 = 1
        _ = setsockopt(fds[0], SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        return (fds[0], fds[1])
    }

    static var noSignalFlag: Int32 {
        #if canImport(Glibc)
        Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)
        #else
        Int32(MSG_DONTWAIT)
        #endif
    }

    /// `stat` following symlinks: nil when nothing is there, else whether it is a directory.
    static func isDirectory(_ path: String) -> Bool? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// `realpath`, or nil when the path cannot be resolved.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
