import Agent
import AgentTools
import Foundation
import Sandbox

/// The sandbox's files as the tools see them: relative paths resolve against the shell's current
/// directory, so `cd` then a relative path works.
public struct ContainerWorkspace: Workspace {
    public let files: SandboxFiles
    public let shell: PersistentShell

    public init(sandbox: Sandbox) {
        files = sandbox.files
        shell = sandbox.shell
    }

    public func currentDirectory() async throws(WorkspaceError) -> String {
        do { return try await shell.workingDirectory() } catch { throw .backend(reason: "\(error)") }
    }

    public func exists(_ path: String) async throws(WorkspaceError) -> Bool {
        guard !path.isEmpty else { return false }
        let absolute = try await absolute(path)
        do { return try await files.exists(absolute) } catch { throw map(error, path) }
    }

    public func isDirectory(_ path: String) async throws(WorkspaceError) -> Bool {
        guard !path.isEmpty else { return false }
        let absolute = try await absolute(path)
        do { return try await files.isDirectory(absolute) } catch { throw map(error, path) }
    }

    public func readFile(_ path: String) async throws(WorkspaceError) -> [UInt8] {
        let absolute = try await absolute(path)
        do { return [UInt8](try await files.read(absolute)) } catch { throw map(error, path) }
    }

    public func writeFile(_ path: String, contents: [UInt8]) async throws(WorkspaceError) {
        let absolute = try await absolute(path)
        do { try await files.write(absolute, Data(contents)) } catch { throw map(error, path) }
    }

    private func absolute(_ path: String) async throws(WorkspaceError) -> String {
        path.hasPrefix("/") ? path : try await currentDirectory() + "/" + path
    }

    private func map(_ error: SandboxFiles.FileError, _ path: String) -> WorkspaceError {
        switch error {
        case .notFound: return .notFound(path: path)
        case .isDirectory: return .isDirectory(path: path)
        case .engine(let reason): return .backend(reason: reason)
        }
    }
}
