import XCTest
@testable import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// One conformance suite for every ``Backend``. A backend that makes changes must make them
/// exactly; the dry-run wrapper must accept the same calls, change nothing on disk, and still
/// report what a removal would delete.
struct BackendConformance {
    let backend: any Backend
    let makesChanges: Bool
    let label: String
    let tmp: TemporaryDirectory
    let root: String

    init(_ backend: any Backend, makesChanges: Bool) throws {
        self.backend = backend
        self.makesChanges = makesChanges
        self.label = String(describing: type(of: backend))
        self.tmp = try TemporaryDirectory()
        self.root = tmp("root")
        makeDirectories(root)
    }

    private func openRoot(file: StaticString = #filePath, line: UInt = #line) throws -> DirectoryRef {
        guard let ref = try backend.openRoot(b(root), followSymlink: false) else {
            XCTFail("\(label): openRoot of an existing directory gave nil", file: file, line: line)
            throw POSIXError(.ENOENT)
        }
        return ref
    }

    private func errno(of body: () throws -> Void) -> Int32? {
        do {
            try body()
            return nil
        } catch let error as FileSystemError {
            return error.errno
        } catch {
            return -1
        }
    }

    /// A regular file opened for reading, with `bytes` in it.
    private func sourceFile(_ bytes: [UInt8]) -> Int32 {
        let path = tmp("source-\(UInt32.random(in: 0...UInt32.max))")
        writeFile(path, bytes)
        return open(path, O_RDONLY | O_CLOEXEC)
    }

    // MARK: Opening and listing

    func openRootAndDirectory() throws {
        makeDirectories(root + "/sub")
        writeFile(root + "/file", "x")
        symlink("sub", root + "/link")

        XCTAssertNil(try backend.openRoot(b(tmp("missing")), followSymlink: true), label)
        XCTAssertNil(try backend.openRoot(b(tmp("missing/deeper")), followSymlink: false), label)
        let ref = try openRoot()
        XCTAssertGreaterThanOrEqual(ref.descriptor, 0)
        XCTAssertEqual(ref.displayPath, root)
        XCTAssertEqual(ref.path(of: b("x\ny")), root + "/x\\#012y")

        XCTAssertEqual(errno { _ = try backend.openRoot(b(root + "/file"), followSymlink: true) }, ENOTDIR, label)
        XCTAssertNotNil(try backend.openRoot(b(root + "/link"), followSymlink: true), "\(label): a root may be a symlink to a directory")
        XCTAssertNotNil(errno { _ = try backend.openRoot(b(root + "/link"), followSymlink: false) }, label)

        XCTAssertNil(try backend.openDirectory(b("missing"), in: ref), label)
        let sub = try backend.openDirectory(b("sub"), in: ref)
        XCTAssertNotNil(sub, label)
        XCTAssertEqual(sub?.displayPath, root + "/sub")
        XCTAssertNotNil(errno { _ = try backend.openDirectory(b("link"), in: ref) }, "\(label): openDirectory must not follow a symlink")
        XCTAssertEqual(errno { _ = try backend.openDirectory(b("file"), in: ref) }, ENOTDIR, label)
    }

    func listIsSortedByBytesWithLinkTargets() throws {
        let files: [[UInt8]] = [b("b"), b("a"), b("B"), b("é"), b("a.b"), b("a0"), [0x01, 0x78], [0xFF], b("Z"), b("sp ace")]
        let setup = try openRoot()
        for (index, name) in files.enumerated() {
            let fd = try FileSystem.open(name, in: setup.descriptor, flags: O_WRONLY | O_CREAT, path: "")
            _ = [UInt8](repeating: 0x61, count: index).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        makeDirectories(root + "/d")
        symlink("target/with spaces", root + "/l")
        symlink("nowhere", root + "/dangling")

        let ref = try openRoot()
        let listing = try backend.list(ref)
        let names = listing.map(\.name)
        let expected = (files + [b("d"), b("l"), b("dangling")]).sorted { compareNames($0, $1) < 0 }
        XCTAssertEqual(names, expected, label)
        for e in listing {
            switch e.name {
            case b("l"):
                XCTAssertEqual(e.kind, .symlink)
                XCTAssertEqual(e.linkTarget, b("target/with spaces"))
            case b("dangling"):
                XCTAssertEqual(e.kind, .symlink)
                XCTAssertEqual(e.linkTarget, b("nowhere"))
            case b("d"):
                XCTAssertEqual(e.kind, .directory)
                XCTAssertNil(e.linkTarget)
            default:
                XCTAssertEqual(e.kind, .regular)
                XCTAssertNil(e.linkTarget)
                XCTAssertEqual(e.status.size, Int64(files.firstIndex(of: e.name) ?? -1), "\(label): size of \(e.name)")
            }
        }
        // Listing again (same descriptor) gives the same answer.
        XCTAssertEqual(try backend.list(ref).map(\.name), expected, label)
        XCTAssertEqual(try backend.list(XCTUnwrap(backend.openDirectory(b("d"), in: ref))).count, 0, label)
    }

    func entryLooksUpOneName() throws {
        writeFile(root + "/f", "12345")
        makeDirectories(root + "/dir")
        symlink("dir", root + "/to-dir")
        symlink("gone", root + "/dangling")
        let ref = try openRoot()

        XCTAssertNil(try backend.entry(b("missing"), in: ref, followSymlink: false), label)
        let f = try backend.entry(b("f"), in: ref, followSymlink: false)
        XCTAssertEqual(f?.kind, .regular)
        XCTAssertEqual(f?.status.size, 5)
        XCTAssertEqual(f?.name, b("f"))

        let link = try backend.entry(b("to-dir"), in: ref, followSymlink: false)
        XCTAssertEqual(link?.kind, .symlink)
        XCTAssertEqual(link?.linkTarget, b("dir"))
        let followed = try backend.entry(b("to-dir"), in: ref, followSymlink: true)
        XCTAssertEqual(followed?.kind, .directory)
        XCTAssertNil(followed?.linkTarget)
        XCTAssertNil(try backend.entry(b("dangling"), in: ref, followSymlink: true), "\(label): a dangling link followed is no entry")
        XCTAssertEqual(try backend.entry(b("dangling"), in: ref, followSymlink: false)?.kind, .symlink)
    }

    func openForReadingGivesTheContents() throws {
        writeFile(root + "/r", "read me")
        let ref = try openRoot()
        let fd = try backend.openForReading(b("r"), in: ref)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        XCTAssertEqual(Array(buffer.prefix(max(0, n))), b("read me"), label)
        symlink("r", root + "/link")
        XCTAssertEqual(errno { _ = try backend.openForReading(b("link"), in: ref) }, FileSystemError.notRegularFileErrno, "\(label): never reads through a symlink")
    }

    // MARK: Writing files

    func writeFileCreatesTheFileWithItsAttributes() throws {
        let content = pseudoRandomBytes(300_000)
        let fd = sourceFile(content)
        defer { close(fd) }
        let ref = try openRoot()
        let mtime = FileTime(seconds: 1_600_000_000, nanoseconds: 123_456_789)
        let atime = FileTime(seconds: 1_500_000_000, nanoseconds: 5)
        var chunks = 0
        let written = try backend.writeFile(b("new"), in: ref, from: fd, size: Int64(content.count),
                                            attributes: AttributeSet(permissions: 0o640, mtime: mtime, atime: atime),
                                            options: WriteOptions()) { n in chunks += n; return true }
        XCTAssertEqual(written, Int64(content.count), label)
        if makesChanges {
            XCTAssertEqual(chunks, content.count, "\(label): onChunk must see every byte")
            let st = linkStatus(root + "/new") // before reading it: a read may move atime
            XCTAssertEqual(readFile(root + "/new"), content, label)
            XCTAssertEqual(st?.kind, .regular)
            XCTAssertEqual(st?.permissions, 0o640)
            XCTAssertEqual(st?.mtime, mtime, "\(label): mtime with nanoseconds")
            XCTAssertEqual(st?.atime, atime)
            XCTAssertEqual(directoryNames(root), ["new"], "\(label): no temp file may remain")
        } else {
            XCTAssertFalse(exists(root + "/new"), "\(label): a dry run wrote a file")
            XCTAssertEqual(directoryNames(root), [])
        }
    }

    func writeFileReplacesAtomicallyAndLeavesNoTemporaryFiles() throws {
        writeFile(root + "/f", "old contents", mode: 0o644)
        let before = linkStatus(root + "/f")
        let reader = open(root + "/f", O_RDONLY | O_CLOEXEC)
        defer { close(reader) }
        let fd = sourceFile(b("brand new"))
        defer { close(fd) }
        let ref = try openRoot()
        for round in 0..<3 {
            lseek(fd, 0, SEEK_SET)
            let written = try backend.writeFile(b("f"), in: ref, from: fd, size: 9, attributes: AttributeSet(permissions: 0o600),
                                                options: WriteOptions()) { _ in true }
            XCTAssertEqual(written, 9, "\(label) round \(round)")
        }
        if makesChanges {
            XCTAssertEqual(readText(root + "/f"), "brand new")
            XCTAssertEqual(linkStatus(root + "/f")?.permissions, 0o600)
            XCTAssertNotEqual(linkStatus(root + "/f")?.inode, before?.inode, "\(label): the file must be replaced, not rewritten")
        } else {
            let after = linkStatus(root + "/f")
            XCTAssertEqual(after?.inode, before?.inode)
            XCTAssertEqual(after?.mtime, before?.mtime)
            XCTAssertEqual(after?.permissions, before?.permissions)
            XCTAssertEqual(readText(root + "/f"), "old contents")
        }
        XCTAssertEqual(directoryNames(root), ["f"], "\(label): temp files (.f.XXXXXX) left behind")
        // A reader that opened the old file still sees the old contents, whole.
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = buffer.withUnsafeMutableBytes { pread(reader, $0.baseAddress, $0.count, 0) }
        XCTAssertEqual(String(decoding: buffer.prefix(max(0, n)), as: UTF8.self), "old contents")
    }

    func writeFileStoppedByOnChunkLeavesNothingBehind() throws {
        writeFile(root + "/keep", "original")
        let content = pseudoRandomBytes(100_000)
        let fd = sourceFile(content)
        defer { close(fd) }
        let ref = try openRoot()
        for name in ["keep", "fresh"] {
            lseek(fd, 0, SEEK_SET)
            do {
                _ = try backend.writeFile(b(name), in: ref, from: fd, size: Int64(content.count), attributes: AttributeSet(),
                                          options: WriteOptions()) { _ in false }
                if makesChanges { XCTFail("\(label): a write stopped by onChunk must throw") }
            } catch {
                XCTAssertTrue(error is SyncInterrupted, "\(label): \(error)")
            }
        }
        XCTAssertEqual(readText(root + "/keep"), "original", label)
        XCTAssertEqual(directoryNames(root), ["keep"], "\(label): an interrupted write left files behind")
    }

    func writeFileInPlaceKeepsTheInode() throws {
        guard backend.capabilities.contains(.inPlaceWrites) else { return }
        writeFile(root + "/f", "0123456789")
        let before = linkStatus(root + "/f")
        let fd = sourceFile(b("abc"))
        defer { close(fd) }
        var options = WriteOptions()
        options.inPlace = true
        let mtime = FileTime(seconds: 1_234_567_890, nanoseconds: 42)
        let written = try backend.writeFile(b("f"), in: try openRoot(), from: fd, size: 3, attributes: AttributeSet(mtime: mtime),
                                            options: options) { _ in true }
        XCTAssertEqual(written, 3)
        if makesChanges {
            XCTAssertEqual(readText(root + "/f"), "abc", "\(label): in-place write must truncate the old tail")
            XCTAssertEqual(linkStatus(root + "/f")?.inode, before?.inode)
            XCTAssertEqual(linkStatus(root + "/f")?.mtime, mtime)
        } else {
            XCTAssertEqual(readText(root + "/f"), "0123456789")
        }
        XCTAssertEqual(directoryNames(root), ["f"])
    }

    func writeFileSparseKeepsHoles() throws {
        let path = tmp("sparse-source")
        let out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let size: Int64 = 32 << 20
        ftruncate(out, off_t(size))
        let data = pseudoRandomBytes(4096)
        _ = data.withUnsafeBytes { pwrite(out, $0.baseAddress, $0.count, off_t(16 << 20)) }
        close(out)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        var options = WriteOptions()
        options.sparse = true
        let written = try backend.writeFile(b("s"), in: try openRoot(), from: fd, size: size, attributes: AttributeSet(), options: options) { _ in true }
        guard makesChanges else {
            XCTAssertEqual(written, size)
            XCTAssertFalse(exists(root + "/s"))
            return
        }
        let st = linkStatus(root + "/s")
        XCTAssertEqual(st?.size, size)
        XCTAssertLessThan((st?.blocks ?? .max) * 512, 1 << 20, "\(label): the sparse copy is not sparse")
        XCTAssertEqual(readFile(root + "/s"), readFile(path))
    }

    /// `--sparse --inplace` over an existing file: the result must be the source, whole
    /// (its size, and zeros where the source has holes, not the old file's bytes).
    func writeFileSparseInPlaceGivesTheSourceContents() throws {
        guard backend.capabilities.contains(.inPlaceWrites) else { return }
        let size = 4 << 20
        writeFile(root + "/f", [UInt8](repeating: 0xAB, count: size))
        let path = tmp("sparse-source")
        let out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        ftruncate(out, off_t(size))
        let data = pseudoRandomBytes(4096)
        _ = data.withUnsafeBytes { pwrite(out, $0.baseAddress, $0.count, off_t(2 << 20)) }
        close(out)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        var options = WriteOptions()
        options.sparse = true
        options.inPlace = true
        _ = try backend.writeFile(b("f"), in: try openRoot(), from: fd, size: Int64(size), attributes: AttributeSet(),
                                  options: options) { _ in true }
        if makesChanges {
            XCTAssertEqual(linkStatus(root + "/f")?.size, Int64(size), "\(label): --sparse --inplace changed the file size")
            let result = readFile(root + "/f") ?? []
            let expected = readFile(path) ?? []
            XCTAssertTrue(result == expected,
                          "\(label): --sparse --inplace result differs from the source (\(result.count) bytes, first difference at \(result.indices.first { $0 >= expected.count || result[$0] != expected[$0] }.map(String.init) ?? "end"))")
        } else {
            XCTAssertEqual(readFile(root + "/f"), [UInt8](repeating: 0xAB, count: size))
        }
    }

    // MARK: Making things

    func makeDirectorySymlinkNodeAndHardLink() throws {
        writeFile(root + "/h1", "linked")
        let ref = try openRoot()
        try backend.makeDirectory(b("newdir"), in: ref, permissions: 0o750)
        try backend.makeSymlink(b("sl"), in: ref, target: b("some/target\n"))
        try backend.makeNode(b("fifo"), in: ref, status: FileStatus(kind: .fifo, permissions: 0o640))
        try backend.makeHardLink(b("h2"), in: ref, to: b("h1"), in: ref)
        if makesChanges {
            XCTAssertEqual(linkStatus(root + "/newdir")?.kind, .directory)
            XCTAssertEqual(linkStatus(root + "/newdir")?.permissions, 0o750)
            XCTAssertEqual(try FileSystem.readLink(b("sl"), in: ref.descriptor, path: ""), b("some/target\n"))
            XCTAssertEqual(linkStatus(root + "/fifo")?.kind, .fifo)
            XCTAssertEqual(linkStatus(root + "/fifo")?.permissions, 0o640)
            XCTAssertEqual(linkStatus(root + "/h2")?.inode, linkStatus(root + "/h1")?.inode)
            XCTAssertEqual(linkStatus(root + "/h1")?.linkCount, 2)
            XCTAssertEqual(errno { try backend.makeDirectory(b("newdir"), in: ref, permissions: 0o755) }, EEXIST)
            XCTAssertEqual(errno { try backend.makeSymlink(b("sl"), in: ref, target: b("x")) }, EEXIST)
            XCTAssertEqual(errno { try backend.makeHardLink(b("h3"), in: ref, to: b("nope"), in: ref) }, ENOENT)
        } else {
            XCTAssertEqual(directoryNames(root), ["h1"], "\(label) created something")
            XCTAssertEqual(linkStatus(root + "/h1")?.linkCount, 1)
            // The same calls again still "succeed".
            try backend.makeDirectory(b("newdir"), in: ref, permissions: 0o755)
        }
    }

    func makeCharacterDevice() throws {
        let ref = try openRoot()
        let devNull = linkStatus("/dev/null")!
        try backend.makeNode(b("null"), in: ref, status: FileStatus(kind: .characterDevice, permissions: 0o666, rdev: devNull.rdev))
        if makesChanges {
            XCTAssertEqual(linkStatus(root + "/null")?.kind, .characterDevice)
            XCTAssertEqual(linkStatus(root + "/null")?.rdev, devNull.rdev)
        } else {
            XCTAssertFalse(exists(root + "/null"))
        }
    }

    // MARK: Attributes

    func setAttributesOnFilesSymlinksAndDirectories() throws {
        writeFile(root + "/f", "x", mode: 0o644, mtime: FileTime(seconds: 1000))
        writeFile(root + "/target", "t", mode: 0o644, mtime: FileTime(seconds: 2000))
        symlink("target", root + "/l")
        makeDirectories(root + "/d")
        chmod(root + "/d", 0o755)
        setTimes(root + "/d", mtime: FileTime(seconds: 3000))
        let before = ["f", "target", "l", "d"].map { linkStatus(root + "/" + $0) }
        let ref = try openRoot()

        let fileTime = FileTime(seconds: 1_234_567_890, nanoseconds: 987_654_321)
        try backend.setAttributes(b("f"), in: ref, kind: .regular, AttributeSet(permissions: 0o600, mtime: fileTime))
        let linkTime = FileTime(seconds: 1_111_111_111, nanoseconds: 1)
        // A mode for a symlink is ignored (Linux has none), and must not reach the target.
        try backend.setAttributes(b("l"), in: ref, kind: .symlink, AttributeSet(permissions: 0o600, mtime: linkTime))
        let dirTime = FileTime(seconds: 1_222_222_222, nanoseconds: 500)
        let dir = try XCTUnwrap(backend.openDirectory(b("d"), in: ref))
        try backend.setAttributes(of: dir, AttributeSet(permissions: 0o711, mtime: dirTime))
        try backend.setAttributes(b("f"), in: ref, kind: .regular, AttributeSet())

        if makesChanges {
            XCTAssertEqual(linkStatus(root + "/f")?.permissions, 0o600)
            XCTAssertEqual(linkStatus(root + "/f")?.mtime, fileTime)
            XCTAssertEqual(linkStatus(root + "/l")?.mtime, linkTime, "\(label): symlink times are set on the link itself")
            XCTAssertEqual(linkStatus(root + "/target"), before[1], "\(label): the symlink's target was changed")
            XCTAssertEqual(linkStatus(root + "/d")?.permissions, 0o711)
            XCTAssertEqual(linkStatus(root + "/d")?.mtime, dirTime)
            XCTAssertEqual(errno { try backend.setAttributes(b("missing"), in: ref, kind: .regular, AttributeSet(permissions: 0o600)) }, ENOENT)
        } else {
            let after = ["f", "target", "l", "d"].map { linkStatus(root + "/" + $0) }
            for (a, z) in zip(before, after) {
                XCTAssertEqual(a?.permissions, z?.permissions)
                XCTAssertEqual(a?.mtime, z?.mtime)
            }
        }
    }

    // MARK: Removing and renaming

    func removeReportsEveryPathDeepestFirst() throws {
        makeDirectories(root + "/t/b")
        makeDirectories(root + "/t/e")
        writeFile(root + "/t/a", "a")
        writeFile(root + "/t/b/c", "c")
        writeFile(root + "/t/b/d", "d")
        symlink("x", root + "/t/l")
        writeFile(root + "/single", "s")
        let ref = try openRoot()

        var reported: [(String, FileKind)] = []
        try backend.remove(b("t"), in: ref, kind: .directory) { path, kind in
            reported.append((String(decoding: path, as: UTF8.self), kind))
        }
        // rsync's order: reverse name order within a directory, contents before the directory.
        XCTAssertEqual(reported.map(\.0), ["t/l", "t/e", "t/b/d", "t/b/c", "t/b", "t/a", "t"], label)
        XCTAssertEqual(reported.map(\.1), [.symlink, .directory, .regular, .regular, .directory, .regular, .directory], label)

        var single: [[UInt8]] = []
        try backend.remove(b("single"), in: ref, kind: .regular) { path, _ in single.append(path) }
        XCTAssertEqual(single, [b("single")])

        if makesChanges {
            XCTAssertEqual(directoryNames(root), [])
            XCTAssertEqual(errno { try backend.remove(b("single"), in: ref, kind: .regular) { _, _ in } }, ENOENT)
        } else {
            XCTAssertEqual(directoryNames(root), ["single", "t"])
            XCTAssertEqual(directoryNames(root + "/t"), ["a", "b", "e", "l"])
            XCTAssertEqual(directoryNames(root + "/t/b"), ["c", "d"])
        }
    }

    func renameMovesBetweenDirectories() throws {
        writeFile(root + "/r1", "moving")
        makeDirectories(root + "/sub")
        let ref = try openRoot()
        let sub = try XCTUnwrap(backend.openDirectory(b("sub"), in: ref))
        try backend.rename(b("r1"), in: ref, to: b("r2"), in: sub)
        if makesChanges {
            XCTAssertFalse(exists(root + "/r1"))
            XCTAssertEqual(readText(root + "/sub/r2"), "moving")
        } else {
            XCTAssertEqual(readText(root + "/r1"), "moving")
            XCTAssertFalse(exists(root + "/sub/r2"))
        }
    }

    func capabilities() {
        let local: BackendCapabilities = [.posixAttributes, .hardLinks, .symlinks, .specialFiles, .inPlaceWrites, .kernelCopy]
        XCTAssertEqual(backend.capabilities, local, label)
    }
}

final class LocalBackendConformanceTests: XCTestCase {
    private func suite() throws -> BackendConformance { try BackendConformance(LocalBackend(), makesChanges: true) }

    func testOpenRootAndDirectory() throws { try suite().openRootAndDirectory() }
    func testListIsSortedByBytesWithLinkTargets() throws { try suite().listIsSortedByBytesWithLinkTargets() }
    func testEntry() throws { try suite().entryLooksUpOneName() }
    func testOpenForReading() throws { try suite().openForReadingGivesTheContents() }
    func testWriteFileCreatesWithAttributes() throws { try suite().writeFileCreatesTheFileWithItsAttributes() }
    func testWriteFileReplacesAtomically() throws { try suite().writeFileReplacesAtomicallyAndLeavesNoTemporaryFiles() }
    func testWriteFileStoppedLeavesNothing() throws { try suite().writeFileStoppedByOnChunkLeavesNothingBehind() }
    func testWriteFileInPlace() throws { try suite().writeFileInPlaceKeepsTheInode() }
    func testWriteFileSparse() throws { try suite().writeFileSparseKeepsHoles() }
    func testWriteFileSparseInPlace() throws { try suite().writeFileSparseInPlaceGivesTheSourceContents() }
    func testMakeDirectorySymlinkNodeHardLink() throws { try suite().makeDirectorySymlinkNodeAndHardLink() }
    func testMakeCharacterDevice() throws { try suite().makeCharacterDevice() }
    func testSetAttributes() throws { try suite().setAttributesOnFilesSymlinksAndDirectories() }
    func testRemove() throws { try suite().removeReportsEveryPathDeepestFirst() }
    func testRename() throws { try suite().renameMovesBetweenDirectories() }
    func testCapabilities() throws { try suite().capabilities() }
}

final class DryRunBackendConformanceTests: XCTestCase {
    private func suite() throws -> BackendConformance {
        try BackendConformance(DryRunBackend(wrapping: LocalBackend()), makesChanges: false)
    }

    func testOpenRootAndDirectory() throws { try suite().openRootAndDirectory() }
    func testListIsSortedByBytesWithLinkTargets() throws { try suite().listIsSortedByBytesWithLinkTargets() }
    func testEntry() throws { try suite().entryLooksUpOneName() }
    func testOpenForReading() throws { try suite().openForReadingGivesTheContents() }
    func testWriteFileCreatesWithAttributes() throws { try suite().writeFileCreatesTheFileWithItsAttributes() }
    func testWriteFileReplacesAtomically() throws { try suite().writeFileReplacesAtomicallyAndLeavesNoTemporaryFiles() }
    func testWriteFileStoppedLeavesNothing() throws { try suite().writeFileStoppedByOnChunkLeavesNothingBehind() }
    func testWriteFileInPlace() throws { try suite().writeFileInPlaceKeepsTheInode() }
    func testWriteFileSparse() throws { try suite().writeFileSparseKeepsHoles() }
    func testWriteFileSparseInPlace() throws { try suite().writeFileSparseInPlaceGivesTheSourceContents() }
    func testMakeDirectorySymlinkNodeHardLink() throws { try suite().makeDirectorySymlinkNodeAndHardLink() }
    func testMakeCharacterDevice() throws { try suite().makeCharacterDevice() }
    func testSetAttributes() throws { try suite().setAttributesOnFilesSymlinksAndDirectories() }
    func testRemove() throws { try suite().removeReportsEveryPathDeepestFirst() }
    func testRename() throws { try suite().renameMovesBetweenDirectories() }
    func testCapabilities() throws { try suite().capabilities() }

    /// A directory the dry run "created" has no descriptor: nothing is inside it.
    func testCreatedDirectoriesAreEmptyAndUnopenable() throws {
        let backend = DryRunBackend(wrapping: LocalBackend())
        let created = DirectoryRef(descriptor: -1, displayPath: "new")
        XCTAssertNil(try backend.openDirectory(b("x"), in: created))
        XCTAssertEqual(try backend.list(created).count, 0)
        XCTAssertNil(try backend.entry(b("x"), in: created, followSymlink: false))
        var reported: [[UInt8]] = []
        try backend.remove(b("x"), in: created, kind: .directory) { path, _ in reported.append(path) }
        XCTAssertEqual(reported, [b("x")])
    }
}
