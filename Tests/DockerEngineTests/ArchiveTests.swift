import Foundation
import Testing
import TestSupport
@testable import DockerEngine

/// A tree with what tar gets wrong most often: long paths (over 100 and over 255 bytes), binary
/// contents, modes, symlinks (relative and absolute), an empty directory, a non-ASCII name.
func trickyTree() -> [TarEntry] {
    let longDir = "deep/" + String(repeating: "d", count: 60) + "/" + String(repeating: "e", count: 60)
    let veryLong = longDir + "/" + String(repeating: "f", count: 150) + ".bin"
    let binary = Data((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
    return [
        .directory("deep"),
        .directory("deep/" + String(repeating: "d", count: 60)),
        .directory(longDir),
        TarEntry(path: veryLong, kind: .file, mode: 0o600, data: binary),
        .directory("empty-dir", mode: 0o700),
        .file("run.sh", "#!/bin/sh\necho run\n", mode: 0o755),
        .file("naïve-ünïcode.txt", "unicode name\n"),
        .symlink("link-rel", to: "run.sh"),
        .symlink("link-abs", to: "/etc/hostname"),
        .symlink("link-long", to: veryLong),
    ]
}

@Suite("Tar")
struct TarTests {
    @Test("writer and reader round-trip long paths, binary data, modes, symlinks, empty directories")
    func roundTrip() throws {
        let entries = trickyTree()
        let archive = try TarWriter.archive(entries)
        #expect(archive.count % 512 == 0)
        let read = try TarReader.entries(archive)
        #expect(read.map(\.path) == entries.map(\.path))
        for (a, b) in zip(read, entries) {
            #expect(a.kind == b.kind, "kind of \(a.path)")
            #expect(a.mode == b.mode, "mode of \(a.path)")
            #expect(a.data == b.data, "data of \(a.path)")
        }
    }

    @Test("GNU tar reads what the writer writes, byte for byte")
    func gnuTarReadsOurArchives() throws {
        let dir = TestScratch.url.appendingPathComponent("forager-tar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let archive = try TarWriter.archive(trickyTree())
        let tarFile = dir.appendingPathComponent("a.tar")
        try archive.write(to: tarFile)
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        #expect(try runHost(["tar", "-xf", tarFile.path, "-C", out.path]).status == 0)
        for entry in trickyTree() {
            let path = out.appendingPathComponent(entry.path).path
            switch entry.kind {
            case .file:
                #expect(FileManager.default.contents(atPath: path) == entry.data, "\(entry.path)")
            case .symlink(let target):
                #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == target)
            case .directory:
                var isDir: ObjCBool = false
                #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue)
            case .hardlink: break
            }
        }
    }

    @Test("the reader reads GNU tar's own long-name archives (gnu and pax formats)")
    func readsGnuTar() throws {
        let dir = TestScratch.url.appendingPathComponent("forager-tar-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let longName = String(repeating: "n", count: 180) + ".txt"
        let src = dir.appendingPathComponent("src")
        try FileManager.default.createDirectory(at: src.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("long\n".utf8).write(to: src.appendingPathComponent("sub/" + longName))
        try FileManager.default.createSymbolicLink(atPath: src.appendingPathComponent("sub/l").path, withDestinationPath: longName)
        for format in ["gnu", "pax", "ustar"] where format != "ustar" {
            let data = try runHost(["tar", "--format=\(format)", "-C", src.path, "-cf", "-", "sub"]).output
            let entries = try TarReader.entries(data)
            let file = entries.first { $0.path == "sub/" + longName }
            #expect(file?.data == Data("long\n".utf8), "format \(format)")
            #expect(entries.first { $0.path == "sub/l" }?.kind == .symlink(target: longName), "format \(format)")
        }
    }

    @Test("a corrupt header is an error naming the byte offset")
    func corruptHeader() throws {
        var archive = try TarWriter.archive([.file("a.txt", "x")])
        archive[10] ^= 0xff
        #expect(throws: DockerError.invalidArgument("tar archive: bad header checksum at byte 0")) {
            try TarReader.entries(archive)
        }
    }
}

@Suite("Archives", .enabled { await dockerTestsEnabled() })
struct ArchiveTests {
    @Test("a tricky tree survives put and get, and the container sees it as written")
    func containerRoundTrip() async throws {
        let client = try await dockerClient()
        try await withContainer(client) { id in
            _ = try await client.exec(container: id, ["mkdir", "-p", "/work/rt"])
            try await client.putArchive(container: id, path: "/work/rt", tar: TarWriter.archive(trickyTree()))

            let check = try await client.exec(container: id, ["bash", "-c", """
                cd /work/rt && stat -c '%a %n' run.sh empty-dir && readlink link-rel link-abs && \
                find deep -name '*.bin' -exec sha256sum {} \\; | cut -c1-16 && ./run.sh
                """])
            let lines = check.output.stdoutText.split(separator: "\n").map(String.init)
            #expect(lines.first == "755 run.sh")
            #expect(lines.contains("700 empty-dir"))
            #expect(lines.contains("run.sh"))
            #expect(lines.contains("/etc/hostname"))
            #expect(lines.last == "run")

            let back = try TarReader.entries(try await client.getArchive(container: id, path: "/work/rt/."))
            for entry in trickyTree() {
                let got = back.first { $0.path == entry.path }
                #expect(got != nil, "\(entry.path) came back")
                #expect(got?.kind == entry.kind, "\(entry.path)")
                #expect(got?.data == entry.data, "\(entry.path)")
                #expect(got?.mode == entry.mode, "\(entry.path)")
            }
        }
    }

    @Test("stat, write and read a single file; missing paths are nil")
    func singleFiles() async throws {
        let client = try await dockerClient()
        try await withContainer(client) { id in
            try await client.writeFile(container: id, path: "/tmp/hello.sh", contents: Data("echo hi\n".utf8), mode: 0o755)
            #expect(try await client.readFile(container: id, path: "/tmp/hello.sh") == Data("echo hi\n".utf8))
            let stat = try #require(try await client.statPath(container: id, path: "/tmp/hello.sh"))
            #expect(stat.size == 8)
            #expect(stat.permissions == 0o755)
            #expect(!stat.isDirectory)
            #expect(try await client.statPath(container: id, path: "/tmp")?.isDirectory == true)
            #expect(try await client.statPath(container: id, path: "/nope/nothing") == nil)
            #expect(try await client.readFile(container: id, path: "/nope/nothing") == nil)
            await #expect(throws: DockerError.self) {
                try await client.writeFile(container: id, path: "/nope/dir/f", contents: Data())
            }
        }
    }
}
