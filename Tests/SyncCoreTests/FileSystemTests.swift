import XCTest
@testable import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// The typed syscall layer: listing, copying, links, and errors that name what failed.
final class FileSystemTests: XCTestCase {
    private func openDirectory(_ path: String) throws -> Int32 {
        try FileSystem.openDirectory(b(path), in: FileSystem.currentDirectory, path: path)
    }

    private func fsError(_ body: () throws -> Void) -> FileSystemError? {
        do {
            try body()
            return nil
        } catch let error as FileSystemError {
            return error
        } catch {
            XCTFail("unexpected error type: \(error)")
            return nil
        }
    }

    // MARK: Listing

    func testReadDirectoryNamesWithTenThousandEntriesAndOddNames() throws {
        let tmp = try TemporaryDirectory()
        let dir = tmp("many")
        makeDirectories(dir)
        let fd = try openDirectory(dir)
        defer { FileSystem.close(fd) }

        var expected = Set<[UInt8]>()
        for byte in UInt8(1)...UInt8(255) where byte != UInt8(ascii: "/") {
            if byte != UInt8(ascii: ".") { expected.insert([byte]) }
            if byte != UInt8(ascii: ".") { expected.insert([byte, byte]) }
            expected.insert([UInt8(ascii: "n"), byte, UInt8(ascii: "x")])
        }
        expected.insert(b("..."))
        expected.insert(b(".hidden"))
        expected.insert([UInt8](repeating: UInt8(ascii: "L"), count: 255))
        var i = 0
        while expected.count < 10_000 {
            expected.insert(b("f\(i)"))
            i += 1
        }
        for name in expected {
            let file = try FileSystem.open(name, in: fd, flags: O_WRONLY | O_CREAT | O_EXCL, path: DisplayPath.escape(name))
            FileSystem.close(file)
        }

        let names = try FileSystem.readDirectoryNames(fd, path: dir)
        XCTAssertEqual(names.count, 10_000)
        XCTAssertEqual(Set(names), expected)
        XCTAssertFalse(names.contains(b(".")))
        XCTAssertFalse(names.contains(b("..")))
        // The descriptor is rewound: a second listing sees everything again.
        XCTAssertEqual(Set(try FileSystem.readDirectoryNames(fd, path: dir)), expected)
    }

    func testReadDirectoryNamesOfAnEmptyDirectory() throws {
        let tmp = try TemporaryDirectory()
        let fd = try openDirectory(tmp.path)
        defer { FileSystem.close(fd) }
        XCTAssertEqual(try FileSystem.readDirectoryNames(fd, path: tmp.path), [])
    }

    // MARK: Copying

    func testCopyContentsCopiesEverythingAndReportsChunks() throws {
        let tmp = try TemporaryDirectory()
        let content = pseudoRandomBytes((3 << 20) + 17)
        writeFile(tmp("src"), content)
        let src = open(tmp("src"), O_RDONLY | O_CLOEXEC)
        defer { close(src) }
        let dst = open(tmp("dst"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        var seen = 0
        let n = try FileSystem.copyContents(from: src, to: dst, sizeHint: Int64(content.count), limiter: { seen += $0; return true }, path: "dst")
        close(dst)
        XCTAssertEqual(n, Int64(content.count))
        XCTAssertEqual(seen, content.count)
        XCTAssertEqual(readFile(tmp("dst")), content)
    }

    func testCopyContentsStartsAtTheCurrentOffset() throws {
        let tmp = try TemporaryDirectory()
        let content = pseudoRandomBytes(100_000)
        writeFile(tmp("src"), content)
        let src = open(tmp("src"), O_RDONLY | O_CLOEXEC)
        defer { close(src) }
        lseek(src, 1000, SEEK_SET)
        let dst = open(tmp("dst"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        let n = try FileSystem.copyContents(from: src, to: dst, sizeHint: 99_000, path: "dst")
        close(dst)
        XCTAssertEqual(n, 99_000)
        XCTAssertEqual(readFile(tmp("dst")), Array(content[1000...]))
    }

    func testCopyContentsFallsBackToReadingForAPipe() throws {
        let tmp = try TemporaryDirectory()
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        let content = pseudoRandomBytes(40_000)
        _ = content.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        defer { close(fds[0]) }
        let dst = open(tmp("dst"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        let n = try FileSystem.copyContents(from: fds[0], to: dst, sizeHint: Int64(content.count), path: "dst")
        close(dst)
        XCTAssertEqual(n, Int64(content.count))
        XCTAssertEqual(readFile(tmp("dst")), content)
    }

    func testCopyContentsOfAnEmptyFile() throws {
        let tmp = try TemporaryDirectory()
        writeFile(tmp("src"), [])
        let src = open(tmp("src"), O_RDONLY | O_CLOEXEC)
        defer { close(src) }
        let dst = open(tmp("dst"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        defer { close(dst) }
        XCTAssertEqual(try FileSystem.copyContents(from: src, to: dst, sizeHint: 0, path: "dst"), 0)
        XCTAssertEqual(readFile(tmp("dst")), [])
    }

    func testCopyContentsStopsWhenTheLimiterSaysSo() throws {
        let tmp = try TemporaryDirectory()
        writeFile(tmp("src"), pseudoRandomBytes(50_000))
        let src = open(tmp("src"), O_RDONLY | O_CLOEXEC)
        defer { close(src) }
        let dst = open(tmp("dst"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        defer { close(dst) }
        let error = fsError { _ = try FileSystem.copyContents(from: src, to: dst, sizeHint: 50_000, limiter: { _ in false }, path: "the/dst") }
        XCTAssertEqual(error?.errno, ECANCELED)
        XCTAssertEqual(error?.path, "the/dst")
    }

    private func makeSparseSource(_ path: String, size: Int, dataAt offsets: [Int]) -> [UInt8] {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        defer { close(fd) }
        ftruncate(fd, off_t(size))
        for (i, offset) in offsets.enumerated() {
            let data = pseudoRandomBytes(4096, seed: UInt64(i + 1))
            _ = data.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(offset)) }
        }
        return readFile(path) ?? []
    }

    func testCopySparseKeepsHolesAndContents() throws {
        let tmp = try TemporaryDirectory()
        let size = 16 << 20
        let content = makeSparseSource(tmp("src"), size: size, dataAt: [0, 8 << 20])
        let src = open(tmp("src"), O_RDONLY | O_CLOEXEC)
        defer { close(src) }
        let dst = open(tmp("dst"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        let copied = try FileSystem.copySparse(from: src, to: dst, size: Int64(size), path: "dst")
        close(dst)
        let st = linkStatus(tmp("dst"))
        XCTAssertEqual(st?.size, Int64(size))
        XCTAssertLessThan((st?.blocks ?? .max) * 512, 1 << 20, "far fewer blocks than the size")
        XCTAssertGreaterThanOrEqual(copied, 8192)
        XCTAssertLessThan(copied, Int64(size))
        XCTAssertTrue(readFile(tmp("dst")) == content, "contents differ")
    }

    func testCopySparseOfAFileThatIsAllHole() throws {
        let tmp = try TemporaryDirectory()
        let size = 8 << 20
        _ = makeSparseSource(tmp("src"), size: size, dataAt: [])
        let src = open(tmp("src"), O_RDONLY | O_CLOEXEC)
        defer { close(src) }
        let dst = open(tmp("dst"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        let copied = try FileSystem.copySparse(from: src, to: dst, size: Int64(size), path: "dst")
        close(dst)
        XCTAssertEqual(copied, 0)
        XCTAssertEqual(linkStatus(tmp("dst"))?.size, Int64(size))
        XCTAssertEqual(linkStatus(tmp("dst"))?.blocks, 0)
    }

    func testCopySparseWithDataAtTheEnd() throws {
        let tmp = try TemporaryDirectory()
        let size = (4 << 20) + 4096
        let content = makeSparseSource(tmp("src"), size: size, dataAt: [4 << 20])
        let src = open(tmp("src"), O_RDONLY | O_CLOEXEC)
        defer { close(src) }
        let dst = open(tmp("dst"), O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        _ = try FileSystem.copySparse(from: src, to: dst, size: Int64(size), path: "dst")
        close(dst)
        XCTAssertEqual(linkStatus(tmp("dst"))?.size, Int64(size))
        XCTAssertTrue(readFile(tmp("dst")) == content)
    }

    // MARK: Links

    func testReadLinkOfLongTargets() throws {
        let tmp = try TemporaryDirectory()
        let fd = try openDirectory(tmp.path)
        defer { FileSystem.close(fd) }
        for length in [1, 63, 64, 65, 127, 128, 129, 255, 256, 1000, 4095] {
            let target = (0..<length).map { i -> UInt8 in i % 4 == 3 ? UInt8(ascii: "/") : UInt8(ascii: "a") + UInt8(i % 26) }
            let name = b("l\(length)")
            try FileSystem.makeSymlink(name, in: fd, target: target, path: "")
            XCTAssertEqual(try FileSystem.readLink(name, in: fd, sizeHint: 0, path: ""), target, "length \(length), no hint")
            XCTAssertEqual(try FileSystem.readLink(name, in: fd, sizeHint: length, path: ""), target, "length \(length), exact hint")
            XCTAssertEqual(try FileSystem.readLink(name, in: fd, sizeHint: max(0, length - 1), path: ""), target, "length \(length), short hint")
        }
        let odd: [UInt8] = [0xFF, 0x0A, 0x01, UInt8(ascii: " ")]
        try FileSystem.makeSymlink(b("odd"), in: fd, target: odd, path: "")
        XCTAssertEqual(try FileSystem.readLink(b("odd"), in: fd, path: ""), odd)
    }

    func testUnnamedTemporaryFileGetsANameOnlyWhenLinked() throws {
        let tmp = try TemporaryDirectory()
        let dir = try openDirectory(tmp.path)
        defer { FileSystem.close(dir) }
        guard let fd = try FileSystem.openUnnamedTemporary(in: dir, mode: 0o600, path: tmp.path) else {
            return // no O_TMPFILE on this filesystem: the writer falls back to named temp files
        }
        defer { FileSystem.close(fd) }
        _ = b("hidden until linked").withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        XCTAssertEqual(directoryNames(tmp.path), [])
        try FileSystem.linkUnnamed(fd, as: b("visible"), in: dir, path: "visible")
        XCTAssertEqual(readText(tmp("visible")), "hidden until linked")
        XCTAssertEqual(fsError { try FileSystem.linkUnnamed(fd, as: b("visible"), in: dir, path: "visible") }?.errno, EEXIST)
    }

    // MARK: Attributes

    func testSetTimesLeavesAnOmittedTimeAlone() throws {
        let tmp = try TemporaryDirectory()
        writeFile(tmp("f"), "x")
        let both = FileTime(seconds: 1_000_000_000, nanoseconds: 7)
        setTimes(tmp("f"), mtime: both)
        let fd = try openDirectory(tmp.path)
        defer { FileSystem.close(fd) }
        let newMtime = FileTime(seconds: 1_700_000_000, nanoseconds: 999_999_999)
        try FileSystem.setTimes(b("f"), in: fd, access: nil, modification: newMtime, path: "f")
        XCTAssertEqual(linkStatus(tmp("f"))?.mtime, newMtime)
        XCTAssertEqual(linkStatus(tmp("f"))?.atime, both)
        let newAtime = FileTime(seconds: 1_100_000_000)
        try FileSystem.setTimes(b("f"), in: fd, access: newAtime, modification: nil, path: "f")
        XCTAssertEqual(linkStatus(tmp("f"))?.atime, newAtime)
        XCTAssertEqual(linkStatus(tmp("f"))?.mtime, newMtime)
    }

    func testFileStatusReportsKindsAndModeBits() throws {
        let tmp = try TemporaryDirectory()
        writeFile(tmp("f"), "12345", mode: 0o4751)
        makeDirectories(tmp("d"))
        chmod(tmp("d"), 0o1777)
        mkfifo(tmp("p"), 0o600)
        symlink("f", tmp("l"))
        XCTAssertEqual(linkStatus(tmp("f"))?.kind, .regular)
        XCTAssertEqual(linkStatus(tmp("f"))?.permissions, 0o4751)
        XCTAssertEqual(linkStatus(tmp("f"))?.size, 5)
        XCTAssertEqual(linkStatus(tmp("f"))?.modeWithType, S_IFREG | 0o4751)
        XCTAssertEqual(linkStatus(tmp("d"))?.kind, .directory)
        XCTAssertEqual(linkStatus(tmp("d"))?.permissions, 0o1777)
        XCTAssertEqual(linkStatus(tmp("p"))?.kind, .fifo)
        XCTAssertEqual(linkStatus(tmp("l"))?.kind, .symlink)
        XCTAssertEqual(linkStatus(tmp("l"))?.size, 1)
        XCTAssertEqual(linkStatus("/dev/null")?.kind, .characterDevice)
        XCTAssertEqual(try FileSystem.status(b(tmp("l")), in: FileSystem.currentDirectory, path: "").kind, .regular)
    }

    func testRemoveTreeRemovesNestedTreesAndReadOnlyDirectories() throws {
        let tmp = try TemporaryDirectory()
        makeDirectories(tmp("t/a/b/c"))
        writeFile(tmp("t/a/b/c/f"), "x")
        writeFile(tmp("t/top"), "y")
        symlink("/", tmp("t/a/root-link"))
        chmod(tmp("t/a/b"), 0o500)
        var removed: [String] = []
        try FileSystem.removeTree(b(tmp("t")), in: FileSystem.currentDirectory, path: tmp("t"), makingWritable: true) { path, kind in
            removed.append(String(String(decoding: path, as: UTF8.self).dropFirst(tmp("").count + 1)) + (kind == .directory ? "/" : ""))
        }
        XCTAssertFalse(exists(tmp("t")))
        // Deepest first, each directory's entries in reverse name order (rsync's), the root last.
        XCTAssertEqual(removed, ["t/top", "t/a/root-link", "t/a/b/c/f", "t/a/b/c/", "t/a/b/", "t/a/", "t/"])
        XCTAssertTrue(exists("/"), "removeTree must not follow a symlink")
        writeFile(tmp("file"), "z")
        try FileSystem.removeTree(b(tmp("file")), in: FileSystem.currentDirectory, path: tmp("file"))
        XCTAssertFalse(exists(tmp("file")))
    }

    // MARK: Errors

    func testErrorsCarryOperationPathAndErrno() throws {
        let tmp = try TemporaryDirectory()
        let missing = tmp("no/such/file")
        let stat = fsError { _ = try FileSystem.linkStatus(b(missing), in: FileSystem.currentDirectory, path: missing) }
        XCTAssertEqual(stat?.operation, "link_stat")
        XCTAssertEqual(stat?.path, missing)
        XCTAssertEqual(stat?.errno, ENOENT)
        XCTAssertEqual(stat?.isVanished, true)
        XCTAssertEqual(stat?.description, "link_stat \"\(missing)\" failed: No such file or directory (2)")

        writeFile(tmp("file"), "x")
        let notDir = fsError { _ = try FileSystem.openDirectory(b(tmp("file")), in: FileSystem.currentDirectory, path: "file") }
        XCTAssertEqual(notDir?.operation, "opendir")
        XCTAssertEqual(notDir?.errno, ENOTDIR)

        makeDirectories(tmp("full/inner"))
        let notEmpty = fsError { try FileSystem.remove(b(tmp("full")), in: FileSystem.currentDirectory, isDirectory: true, path: "full") }
        XCTAssertEqual(notEmpty?.operation, "rmdir")
        XCTAssertEqual(notEmpty?.errno, ENOTEMPTY)
        XCTAssertEqual(notEmpty?.isVanished, false)

        let exists = fsError { try FileSystem.makeDirectory(b(tmp("full")), in: FileSystem.currentDirectory, mode: 0o755, path: "full") }
        XCTAssertEqual(exists?.operation, "mkdir")
        XCTAssertEqual(exists?.errno, EEXIST)

        let unlink = fsError { try FileSystem.remove(b(missing), in: FileSystem.currentDirectory, isDirectory: false, path: missing) }
        XCTAssertEqual(unlink?.operation, "unlink")
        XCTAssertEqual(unlink?.errno, ENOENT)

        let readlink = fsError { _ = try FileSystem.readLink(b(tmp("file")), in: FileSystem.currentDirectory, path: "file") }
        XCTAssertEqual(readlink?.operation, "readlink")
        XCTAssertEqual(readlink?.errno, EINVAL)

        writeFile(tmp("other"), "o")
        let noReplace = fsError {
            try FileSystem.rename(b(tmp("file")), in: FileSystem.currentDirectory, to: b(tmp("other")), in: FileSystem.currentDirectory,
                                  noReplace: true, path: "file")
        }
        XCTAssertEqual(noReplace?.operation, "rename")
        XCTAssertEqual(noReplace?.errno, EEXIST)
        XCTAssertEqual(readText(tmp("other")), "o")

        symlink("file", tmp("link"))
        let throughLink = fsError { _ = try FileSystem.openForReading(b(tmp("link")), in: FileSystem.currentDirectory, path: "link") }
        XCTAssertEqual(throughLink?.operation, "open")
        XCTAssertEqual(throughLink?.errno, ELOOP)
    }

    func testErrorDescriptionEscapesNothingButShowsThePathAsGiven() {
        let error = FileSystemError(operation: "open", path: "dir/na\\#012me", errno: EACCES)
        XCTAssertEqual(error.description, "open \"dir/na\\#012me\" failed: Permission denied (13)")
        XCTAssertEqual(FileSystemError(operation: "x", path: "p", errno: ENOTDIR).isVanished, true)
    }
}
