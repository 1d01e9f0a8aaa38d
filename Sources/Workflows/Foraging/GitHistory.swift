import CGit2
import DockerEngine
import Foundation
import Grading
import Sandbox

/// A repository's history read with libgit2 on the host: the image's `<repo_root>/.git` is copied
/// out through the Docker archive API (or a host clone is opened), and every non-merge commit is
/// split into its source changes (under the spec's source folders, not tests) and its test changes.
public struct GitHistory: Sendable {
    /// One non-merge commit, its diff against its parent split in two.
    public struct Commit: Sendable, Equatable {
        public var sha: String
        public var parent: String
        public var message: String
        /// The changes of non-test files under the source folders (the gold patch).
        public var sourcePatch: String
        public var sourceFiles: [String]
        /// The changes of test files (the hidden tests).
        public var testPatch: String
        public var testFiles: [String]
        /// Changed files that are neither (packaging, docs, version files outside source folders).
        public var otherFiles: [String]
        /// Files of either kind left out because libgit2 sees them as binary.
        public var binaryFiles: [String]

        /// Changes both source and tests: an issue-fix candidate.
        public var isCandidate: Bool { !sourcePatch.isEmpty && !testPatch.isEmpty }
    }

    /// Non-merge commits, newest first (the first-parent order of a linear history).
    public var commits: [Commit]
    /// Commits walked, merges and the root included.
    public var scanned: Int
    public var head: String

    private static let initialized: Bool = git_libgit2_init() > 0

    /// Reads the history of the git directory (or work tree) at `path`.
    public static func read(gitDirectory path: String, sourceDirectories: [String]) throws(GitHistoryError) -> GitHistory {
        _ = initialized
        var repo: OpaquePointer?
        guard git_repository_open(&repo, path) == 0, let repo else { throw .open(path, lastError()) }
        defer { git_repository_free(repo) }
        var walk: OpaquePointer?
        guard git_revwalk_new(&walk, repo) == 0, let walk else { throw .walk(lastError()) }
        defer { git_revwalk_free(walk) }
        git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue)
        guard git_revwalk_push_head(walk) == 0 else { throw .walk("HEAD: \(lastError())") }

        var headOid = git_oid()
        guard git_reference_name_to_id(&headOid, repo, "HEAD") == 0 else { throw .walk("HEAD: \(lastError())") }
        let head = String(cString: git_oid_tostr_s(&headOid))

        var commits: [Commit] = []
        var scanned = 0
        var oid = git_oid()
        while git_revwalk_next(&oid, walk) == 0 {
            scanned += 1
            var commit: OpaquePointer?
            guard git_commit_lookup(&commit, repo, &oid) == 0, let commit else { throw .walk(lastError()) }
            defer { git_commit_free(commit) }
            guard git_commit_parentcount(commit) == 1 else { continue }
            var parent: OpaquePointer?
            guard git_commit_parent(&parent, commit, 0) == 0, let parent else { throw .walk(lastError()) }
            defer { git_commit_free(parent) }
            var tree: OpaquePointer?, parentTree: OpaquePointer?
            guard git_commit_tree(&tree, commit) == 0, git_commit_tree(&parentTree, parent) == 0 else { throw .walk(lastError()) }
            defer { git_tree_free(tree); git_tree_free(parentTree) }
            var diff: OpaquePointer?
            guard git_diff_tree_to_tree(&diff, repo, parentTree, tree, nil) == 0, let diff else { throw .walk(lastError()) }
            defer { git_diff_free(diff) }

            var c = Commit(sha: String(cString: git_oid_tostr_s(git_commit_id(commit))),
                           parent: String(cString: git_oid_tostr_s(git_commit_id(parent))),
                           message: git_commit_message(commit).map { String(cString: $0) } ?? "",
                           sourcePatch: "", sourceFiles: [], testPatch: "", testFiles: [], otherFiles: [], binaryFiles: [])
            for i in 0..<git_diff_num_deltas(diff) {
                guard let delta = git_diff_get_delta(diff, i) else { continue }
                let old = delta.pointee.old_file.path.map { String(cString: $0) } ?? ""
                let new = delta.pointee.new_file.path.map { String(cString: $0) } ?? ""
                let path = delta.pointee.status == GIT_DELTA_DELETED ? old : new
                let kind = classify(path, sourceDirectories: sourceDirectories)
                guard kind != .other else { c.otherFiles.append(path); continue }
                var patch: OpaquePointer?
                guard git_patch_from_diff(&patch, diff, i) == 0, let patch else { throw .walk(lastError()) }
                defer { git_patch_free(patch) }
                if delta.pointee.flags & GIT_DIFF_FLAG_BINARY.rawValue != 0 { c.binaryFiles.append(path); continue }
                var buf = git_buf()
                guard git_patch_to_buf(&buf, patch) == 0 else { throw .walk(lastError()) }
                let text = buf.ptr.map { String(cString: $0) } ?? ""
                git_buf_dispose(&buf)
                if kind == .test {
                    c.testPatch += text
                    c.testFiles.append(path)
                } else {
                    c.sourcePatch += text
                    c.sourceFiles.append(path)
                }
            }
            commits.append(c)
        }
        return GitHistory(commits: commits, scanned: scanned, head: head)
    }

    enum Kind { case source, test, other }

    /// Tests: Grading's test-path rule (`tests/`, `test_*.py`, `*_test.py`, conftest); source: the
    /// rest under a source folder; everything else is left out of both patches.
    static func classify(_ path: String, sourceDirectories: [String]) -> Kind {
        if PatchFiles.looksLikeTest(path) { return .test }
        let under = sourceDirectories.contains { dir in
            let d = dir.hasSuffix("/") ? String(dir.dropLast()) : dir
            return d == "." || path.hasPrefix(d + "/")
        }
        return under ? .source : .other
    }

    /// Copies `<repoRoot>/.git` out of a container of `image` into a new temporary folder and
    /// returns the copied git directory (the caller removes `url.deletingLastPathComponent()`).
    public static func copyGitDirectory(client: DockerClient, image: String, repoRoot: String, runID: String) async throws -> URL {
        let config = SandboxConfig(image: image, repoRoot: repoRoot, runID: runID, episodeID: "history-copy",
                                   role: .forage, network: false, lifetime: .seconds(900))
        let archive = try await Sandbox.with(client: client, config: config) { sandbox in
            let gitPath = repoRoot + "/.git"
            guard try await sandbox.client.statPath(container: sandbox.containerID, path: gitPath) != nil else {
                throw GitHistoryError.open("\(image):\(gitPath)", "there is no git directory there")
            }
            return try await sandbox.client.getArchive(container: sandbox.containerID, path: gitPath)
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("forager-history-\(UUID().uuidString)")
        let fm = FileManager.default
        for entry in try TarReader.entries(archive) {
            let url = root.appendingPathComponent(entry.path)
            switch entry.kind {
            case .directory:
                try fm.createDirectory(at: url, withIntermediateDirectories: true)
            case .file:
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try entry.data.write(to: url)
            case .symlink, .hardlink:
                continue  // a git directory has none that libgit2 needs
            }
        }
        let gitDirectory = root.appendingPathComponent(".git")
        guard fm.fileExists(atPath: gitDirectory.path) else {
            throw GitHistoryError.open("\(image):\(repoRoot)/.git", "the archive holds no .git folder")
        }
        return gitDirectory
    }

    static func lastError() -> String {
        guard let e = git_error_last(), let message = e.pointee.message else { return "unknown libgit2 error" }
        return String(cString: message)
    }
}

public enum GitHistoryError: Error, Sendable, CustomStringConvertible {
    case open(String, String)
    case walk(String)

    public var description: String {
        switch self {
        case .open(let path, let why): return "cannot open the git repository \(path): \(why)"
        case .walk(let why): return "reading the git history: \(why)"
        }
    }
}
