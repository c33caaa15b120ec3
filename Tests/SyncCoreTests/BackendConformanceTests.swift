import BackendConformance
import XCTest
@testable import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// The local filesystem as the conformance suite sees it: a temp directory, read and written by path.
struct LocalFixture: ConformanceFixture {
    let backend: any Backend
    let makesChanges: Bool
    let tmp: TemporaryDirectory
    let root: String

    init(_ backend: any Backend, makesChanges: Bool = true) throws {
        self.backend = backend
        self.makesChanges = makesChanges
        tmp = try TemporaryDirectory()
        root = tmp("root")
        makeDirectories(root)
    }

    var rootPath: [UInt8] { b(root) }
    var missingPath: [UInt8] { b(tmp("missing/deeper")) }
    var label: String { String(describing: type(of: backend)) }

    func write(_ path: String, _ bytes: [UInt8], mtime: FileTime?) async throws {
        let full = root + "/" + path
        if let slash = full.lastIndex(of: "/") { makeDirectories(String(full[..<slash])) }
        writeFile(full, bytes, mtime: mtime)
    }

    func makeDirectory(_ path: String) async throws { makeDirectories(root + "/" + path) }

    func read(_ path: String) async throws -> [UInt8]? {
        linkStatus(root + "/" + path)?.kind == .regular ? readFile(root + "/" + path) : nil
    }

    func files() async throws -> [String] {
        var found: [String] = []
        func visit(_ relative: String) {
            let directory = relative.isEmpty ? root : root + "/" + relative
            for name in directoryNames(directory) {
                let path = relative.isEmpty ? name : relative + "/" + name
                if linkStatus(root + "/" + path)?.kind == .directory { visit(path) } else { found.append(path) }
            }
        }
        visit("")
        return found.sorted()
    }

    func localSource(_ bytes: [UInt8]) throws -> any FileSource {
        let path = tmp("source-\(UInt32.random(in: 0...UInt32.max))")
        writeFile(path, bytes)
        let (fd, status) = try FileSystem.openRegularFile(b(path), in: FileSystem.currentDirectory, path: path)
        return LocalFileSource(descriptor: fd, status: status, displayPath: path)
    }
}

/// Runs every check of the shared suite, each with a fresh fixture.
func runConformance(_ make: () throws -> any ConformanceFixture, file: StaticString = #filePath, line: UInt = #line) async throws {
    for check in BackendConformance.all {
        let fixture = try make()
        do {
            try await check.run(BackendConformance(fixture))
        } catch {
            XCTFail("\(fixture.label) \(check.name): \(error)", file: file, line: line)
        }
    }
}

final class LocalBackendConformanceTests: XCTestCase {
    func testTheSharedSuite() async throws {
        try await runConformance { try LocalFixture(LocalBackend()) }
    }

    func testCapabilities() {
        XCTAssertEqual(LocalBackend().capabilities,
                       [.posixAttributes, .hardLinks, .symlinks, .specialFiles, .inPlaceWrites, .kernelCopy, .settableTimes, .directories])
    }

    // What only a local filesystem has: symlinks, devices, hard links, modes, holes, in-place writes.

    func testListingReadsSymlinkTargetsAndNeverFollowsThem() async throws {
        let f = try LocalFixture(LocalBackend())
        makeDirectories(f.root + "/sub")
        writeFile(f.root + "/file", "x")
        symlink("target/with spaces", f.root + "/l")
        symlink("sub", f.root + "/to-sub")
        let backend = f.backend
        let ref = try await XCTUnwrapAsync(try await backend.openRoot(f.rootPath, followSymlink: false))
        let listing = try await backend.entries(of: ref)
        XCTAssertEqual(listing.first { $0.name == b("l") }?.linkTarget, b("target/with spaces"))
        XCTAssertEqual(listing.first { $0.name == b("to-sub") }?.kind, .symlink)
        let followed = try await backend.entry(b("to-sub"), in: ref, followSymlink: true)
        XCTAssertEqual(followed?.kind, .directory)
        let throughLink = await errnoOf { _ = try await backend.openDirectory(b("to-sub"), in: ref) }
        XCTAssertNotNil(throughLink, "openDirectory must not follow a symlink")
        let readThrough = await errnoOf { _ = try await backend.openFile(b("l"), in: ref, listed: nil) }
        XCTAssertEqual(readThrough, FileSystemError.notRegularFileErrno, "never reads through a symlink")
        let rootLink = try await backend.openRoot(b(f.root + "/to-sub"), followSymlink: true)
        XCTAssertNotNil(rootLink, "a root may be a symlink to a directory")
        let escaped = try? await backend.entry(atPath: b("to-sub/x"), beneath: ref)
        XCTAssertNil(escaped ?? nil, "a path below a root never goes through a symlink")
    }

    func testMakeSymlinkNodeHardLinkAndAttributes() async throws {
        let f = try LocalFixture(LocalBackend())
        writeFile(f.root + "/h1", "linked")
        let backend = f.backend
        let ref = try await XCTUnwrapAsync(try await backend.openRoot(f.rootPath, followSymlink: false))
        try await backend.makeSymlink(b("sl"), in: ref, target: b("some/target\n"))
        try await backend.makeNode(b("fifo"), in: ref, status: FileStatus(kind: .fifo, permissions: 0o640))
        try await backend.makeHardLink(b("h2"), in: ref, toPath: b("h1"), beneath: ref)
        XCTAssertEqual(linkStatus(f.root + "/fifo")?.kind, .fifo)
        XCTAssertEqual(linkStatus(f.root + "/fifo")?.permissions, 0o640)
        XCTAssertEqual(linkStatus(f.root + "/h2")?.inode, linkStatus(f.root + "/h1")?.inode)
        let sl = try await backend.entry(b("sl"), in: ref, followSymlink: false)
        XCTAssertEqual(sl?.linkTarget, b("some/target\n"))
        let missingLeader = await errnoOf { try await backend.makeHardLink(b("h3"), in: ref, toPath: b("nope"), beneath: ref) }
        XCTAssertEqual(missingLeader, ENOENT)

        let fileTime = FileTime(seconds: 1_234_567_890, nanoseconds: 987_654_321)
        try await backend.setAttributes(b("h1"), in: ref, kind: .regular, AttributeSet(permissions: 0o600, mtime: fileTime))
        XCTAssertEqual(linkStatus(f.root + "/h1")?.permissions, 0o600)
        XCTAssertEqual(linkStatus(f.root + "/h1")?.mtime, fileTime)
        makeDirectories(f.root + "/d")
        let dir = try await XCTUnwrapAsync(try await backend.openDirectory(b("d"), in: ref))
        let dirTime = FileTime(seconds: 1_222_222_222, nanoseconds: 500)
        try await backend.setAttributes(of: dir, AttributeSet(permissions: 0o711, mtime: dirTime))
        XCTAssertEqual(linkStatus(f.root + "/d")?.permissions, 0o711)
        XCTAssertEqual(linkStatus(f.root + "/d")?.mtime, dirTime)
    }

    func testPutFileInPlaceKeepsTheInodeAndSparseKeepsHoles() async throws {
        let f = try LocalFixture(LocalBackend())
        writeFile(f.root + "/f", "0123456789")
        let before = linkStatus(f.root + "/f")
        let backend = f.backend
        let ref = try await XCTUnwrapAsync(try await backend.openRoot(f.rootPath, followSymlink: false))
        var inPlace = WriteOptions()
        inPlace.inPlace = true
        _ = try await backend.putFile(b("f"), in: ref, from: try f.localSource(b("abc")), attributes: { _ in AttributeSet() }, options: inPlace)
        XCTAssertEqual(readText(f.root + "/f"), "abc", "an in-place write truncates the old tail")
        XCTAssertEqual(linkStatus(f.root + "/f")?.inode, before?.inode)

        let path = f.tmp("sparse-source")
        let out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let size: Int64 = 32 << 20
        ftruncate(out, off_t(size))
        let data = pseudoRandomBytes(4096)
        _ = data.withUnsafeBytes { pwrite(out, $0.baseAddress, $0.count, off_t(16 << 20)) }
        close(out)
        let (fd, status) = try FileSystem.openRegularFile(b(path), in: FileSystem.currentDirectory, path: path)
        var sparse = WriteOptions()
        sparse.sparse = true
        _ = try await backend.putFile(b("s"), in: ref, from: LocalFileSource(descriptor: fd, status: status, displayPath: path),
                                      attributes: { _ in AttributeSet() }, options: sparse)
        XCTAssertEqual(linkStatus(f.root + "/s")?.size, size)
        XCTAssertLessThan((linkStatus(f.root + "/s")?.blocks ?? .max) * 512, 1 << 20, "the sparse copy is not sparse")
        XCTAssertEqual(readFile(f.root + "/s"), readFile(path))
    }
}

final class DryRunBackendConformanceTests: XCTestCase {
    func testTheSharedSuite() async throws {
        try await runConformance { try LocalFixture(DryRunBackend(wrapping: LocalBackend()), makesChanges: false) }
    }

    /// A directory the dry run "made" does not exist: nothing is inside it, and what is opened
    /// inside it is another such directory.
    func testMadeDirectoriesAreEmpty() async throws {
        let f = try LocalFixture(DryRunBackend(wrapping: LocalBackend()), makesChanges: false)
        let backend = f.backend
        let ref = try await XCTUnwrapAsync(try await backend.openRoot(f.rootPath, followSymlink: false))
        let notMade = try await backend.openDirectory(b("new"), in: ref)
        XCTAssertNil(notMade, "a directory never made is missing")
        try await backend.makeDirectory(b("new"), in: ref, permissions: 0o755)
        let made = try await XCTUnwrapAsync(try await backend.openDirectory(b("new"), in: ref))
        XCTAssertFalse(made.exists)
        XCTAssertFalse(exists(f.root + "/new"))
        let inside = try await backend.entries(of: made)
        XCTAssertEqual(inside.count, 0)
        let deeper = try await backend.openDirectory(b("x"), in: made)
        XCTAssertEqual(deeper?.exists, false)
        let reported = Reported()
        try await backend.remove(b("x"), in: made, kind: .directory) { path, kind in reported.add(path, kind) }
        XCTAssertEqual(reported.paths, ["x"])
    }
}


func XCTUnwrapAsync<T>(_ value: T?, file: StaticString = #filePath, line: UInt = #line) async throws -> T {
    try XCTUnwrap(value, file: file, line: line)
}
