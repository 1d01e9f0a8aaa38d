import CGit2
import Foundation

/// What a unified diff touches, read with libgit2's patch parser.
public struct PatchFiles: Sendable, Equatable {
    public enum Change: String, Sendable { case added, deleted, modified, renamed, copied, other }

    public struct File: Sendable, Equatable {
        public let oldPath: String
        public let newPath: String
        public let change: Change
        public let hunks: Int
        /// Whether the path looks like a test file (a `test`/`tests`/`testing` folder, or a
        /// `test_*.py` / `*_test.py` / `*_tests.py` / `conftest.py` name), as SWE-bench splits patches.
        public var isTest: Bool { PatchFiles.looksLikeTest(newPath) || PatchFiles.looksLikeTest(oldPath) }
    }

    public let files: [File]

    private static let initialized: Bool = git_libgit2_init() > 0

    /// Parses `patch`; throws with libgit2's message when it is not a diff libgit2 can read.
    public init(parsing patch: String) throws(PatchError) {
        _ = Self.initialized
        var diff: OpaquePointer?
        let bytes = Array(patch.utf8)
        let rc = bytes.withUnsafeBufferPointer { buf in
            buf.baseAddress.map { base in
                base.withMemoryRebound(to: CChar.self, capacity: buf.count) { git_diff_from_buffer(&diff, $0, buf.count) }
            } ?? -1
        }
        guard rc == 0, let diff else { throw .unparseable(Self.lastError()) }
        defer { git_diff_free(diff) }
        var files: [File] = []
        for i in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, i) else { continue }
            let old = delta.pointee.old_file.path.map { String(cString: $0) } ?? ""
            let new = delta.pointee.new_file.path.map { String(cString: $0) } ?? ""
            var patchObject: OpaquePointer?
            var hunks = 0
            if git_patch_from_diff(&patchObject, diff, i) == 0, let patchObject {
                hunks = git_patch_num_hunks(patchObject)
                git_patch_free(patchObject)
            }
            files.append(File(oldPath: old, newPath: new, change: Self.change(delta.pointee.status), hunks: hunks))
        }
        self.files = files
    }

    public var testFiles: [File] { files.filter(\.isTest) }
    public var sourceFiles: [File] { files.filter { !$0.isTest } }

    public static func looksLikeTest(_ path: String) -> Bool {
        let parts = path.split(separator: "/").map(String.init)
        if parts.dropLast().contains(where: { ["test", "tests", "testing"].contains($0) }) { return true }
        let name = parts.last ?? ""
        return name.hasPrefix("test_") || name.hasSuffix("_test.py") || name.hasSuffix("_tests.py") || name == "conftest.py"
    }

    private static func change(_ status: git_delta_t) -> Change {
        switch status {
        case GIT_DELTA_ADDED: return .added
        case GIT_DELTA_DELETED: return .deleted
        case GIT_DELTA_MODIFIED: return .modified
        case GIT_DELTA_RENAMED: return .renamed
        case GIT_DELTA_COPIED: return .copied
        default: return .other
        }
    }

    private static func lastError() -> String {
        guard let e = git_error_last(), let message = e.pointee.message else { return "unknown libgit2 error" }
        return String(cString: message)
    }
}

public enum PatchError: Error, Sendable, CustomStringConvertible {
    case unparseable(String)
    public var description: String {
        switch self { case .unparseable(let m): return "not a patch libgit2 can read: \(m)" }
    }
}
