#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file. Weights stay in the page cache and are shared between
/// processes; nothing is copied at load time.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let base: UnsafeRawPointer
    public let count: Int

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw InferenceError.io(path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw InferenceError.io(path, "cannot stat: \(String(cString: strerror(errno)))") }
        count = Int(st.st_size)
        guard count > 0 else { throw InferenceError.io(path, "file is empty") }
        guard let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw InferenceError.io(path, "cannot mmap: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(p)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), count) }
}

public enum InferenceError: Error, CustomStringConvertible, Equatable {
    case io(String, String)
    case format(String, String)
    case unsupported(String)
    case modelNotFound(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .io(let path, let why): return "\(path): \(why)"
        case .format(let path, let why): return "\(path): not a valid model file: \(why)"
        case .unsupported(let why): return "unsupported: \(why)"
        case .modelNotFound(let why): return why
        case .invalidArgument(let why): return why
        }
    }
}
