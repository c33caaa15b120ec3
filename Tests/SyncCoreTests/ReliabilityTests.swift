import XCTest
@testable import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// Issue 13's parsers and primitives, tested directly: hostile signature headers, bounded
/// inflation, fault-safe mappings, non-blocking opens, paths that must not follow symlinks,
/// and a backup that is only made once the new file is whole.
final class ReliabilityTests: XCTestCase {
    private func header(blockLength: UInt32, strongLength: UInt8, basisSize: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) } }
        put(Signature.magic)
        put(blockLength)
        out += [strongLength, Signature.weakAlgorithm, Signature.strongAlgorithm, 0]
        put(basisSize)
        return out
    }

    func testHostileSignatureHeadersAreFormatErrorsNotTraps() {
        let hostile: [[UInt8]] = [
            header(blockLength: 1, strongLength: 16, basisSize: UInt64.max),
            header(blockLength: 1, strongLength: 16, basisSize: UInt64(Int64.max) + 1),
            header(blockLength: UInt32.max, strongLength: 1, basisSize: 1),
            header(blockLength: 0, strongLength: 1, basisSize: 0),
            header(blockLength: 700, strongLength: 0, basisSize: 0),
            header(blockLength: 700, strongLength: 17, basisSize: 0),
            header(blockLength: 8, strongLength: 4, basisSize: 1 << 40) + [UInt8](repeating: 0, count: 8),
        ]
        for bytes in hostile {
            XCTAssertThrowsError(try Signature(parsing: bytes), "\(bytes)")
        }
        // A consistent header still parses.
        let one = header(blockLength: 8, strongLength: 4, basisSize: 5) + [UInt8](repeating: 1, count: 8)
        XCTAssertEqual(try Signature(parsing: one).blockCount, 1)
    }

    func testInflaterHandsOutBoundedPieces() throws {
        let plain = [UInt8](repeating: 0, count: 64 << 20)
        let compressed = ZlibDelta.compress(plain)
        XCTAssertLessThan(compressed.count, 1 << 20)
        let inflater = ZlibInflater()
        var total = 0, largest = 0
        try compressed.withUnsafeBytes { bytes in
            try inflater.feed(bytes) { piece in
                total += piece.count
                largest = max(largest, piece.count)
            }
        }
        XCTAssertEqual(total, plain.count)
        XCTAssertLessThanOrEqual(largest, 256 * 1024, "a small input must not expand into one huge buffer")
        XCTAssertTrue(inflater.finished)
    }

    func testMappedRegionOfAShrinkingFileIsTornNotACrash() throws {
        let tmp = try TemporaryDirectory()
        let bytes = pseudoRandomBytes(1 << 20)
        writeFile(tmp("f"), bytes)
        let fd = open(tmp("f"), O_RDONLY)
        defer { close(fd) }
        let region = try MappedRegion(fd: fd, offset: 0, length: bytes.count, path: "f")
        XCTAssertFalse(region.isTorn)
        XCTAssertNoThrow(try region.checkIntact(path: "f"))
        XCTAssertEqual(truncate(tmp("f"), 4096), 0)
        // Reading past the new end would be SIGBUS: here it reads zeros and marks the region.
        let sum = region.withBytes { $0.reduce(0) { $0 &+ Int($1) } }
        XCTAssertGreaterThan(sum, 0)
        XCTAssertTrue(region.isTorn)
        XCTAssertThrowsError(try region.checkIntact(path: "f")) { error in
            XCTAssertTrue((error as? FileSystemError)?.isTornRead == true)
        }
    }

    func testOpenRegularFileNeverBlocksOnAFifo() throws {
        let tmp = try TemporaryDirectory()
        XCTAssertEqual(mkfifo(tmp("fifo"), 0o644), 0)
        symlink("fifo", tmp("link"))
        writeFile(tmp("plain"), "contents")
        let dir = try FileSystem.openDirectory(b(tmp.path), in: FileSystem.currentDirectory, path: tmp.path)
        defer { close(dir) }
        for name in ["fifo", "link"] {
            XCTAssertThrowsError(try FileSystem.openRegularFile(b(name), in: dir, path: name)) { error in
                XCTAssertTrue((error as? FileSystemError)?.isNotRegularFile == true, "\(name): \(error)")
            }
        }
        let (fd, status) = try FileSystem.openRegularFile(b("plain"), in: dir, path: "plain")
        close(fd)
        XCTAssertEqual(status.size, 8)
    }

    func testPathsBeneathARootNeverFollowSymlinks() throws {
        let tmp = try TemporaryDirectory()
        makeDirectories(tmp("root/real"))
        makeDirectories(tmp("outside"))
        writeFile(tmp("root/real/f"), "inside")
        writeFile(tmp("outside/f"), "outside")
        symlink("../outside", tmp("root/link"))
        let root = try FileSystem.openDirectory(b(tmp("root")), in: FileSystem.currentDirectory, path: "root")
        defer { close(root) }
        XCTAssertEqual(try FileSystem.linkStatus(beneath: root, b("real/f"), path: "").size, 6)
        for path in ["link/f", "../outside/f", "real/../../outside/f"] {
            XCTAssertThrowsError(try FileSystem.linkStatus(beneath: root, b(path), path: path), path)
        }
    }

    /// A writer over `f` (which holds "old") in `tmp`, whose old version is to be kept as
    /// `backup` in the same directory, with `contents` written and not yet committed.
    private func writer(over tmp: TemporaryDirectory, backup: String, contents: String) throws -> AtomicFileWriter {
        let fd = try FileSystem.openDirectory(b(tmp.path), in: FileSystem.currentDirectory, path: tmp.path)
        let dir = LocalDirectory(descriptor: fd, displayPath: tmp.path)
        var options = WriteOptions()
        options.backup = BackupName(name: b(backup), directory: dir)
        let writer = try AtomicFileWriter(name: b("f"), in: dir, options: options)
        try Array(contents.utf8).withUnsafeBytes { try FileSystem.writeAll(writer.descriptor, $0, path: "f") }
        return writer
    }

    func testBackupIsMadeOnlyWhenTheNewFileCommits() throws {
        let tmp = try TemporaryDirectory()
        writeFile(tmp("f"), "old")
        var abandoned = try writer(over: tmp, backup: "f~", contents: "half")
        abandoned.abandon(interrupted: true)
        XCTAssertEqual(readText(tmp("f")), "old")
        XCTAssertFalse(exists(tmp("f~")), "no backup for a write that never completed")
        var complete = try writer(over: tmp, backup: "f~", contents: "new")
        try complete.commit()
        XCTAssertEqual(readText(tmp("f")), "new")
        XCTAssertEqual(readText(tmp("f~")), "old")
        XCTAssertEqual(directoryNames(tmp.path).sorted(), ["f", "f~"])
    }

    /// A run stopped between its backup and its rename leaves `f~` as a second link to `f`.
    /// Backing up again must leave no temp name: a rename of one hard link over another does
    /// nothing, so a link made under a temp name and renamed over `f~` would stay behind.
    func testBackupOverAnOlderBackupThatIsTheSameInodeLeavesNoTempName() throws {
        let tmp = try TemporaryDirectory()
        writeFile(tmp("f"), "old")
        XCTAssertEqual(link(tmp("f"), tmp("f~")), 0)
        var complete = try writer(over: tmp, backup: "f~", contents: "new")
        try complete.commit()
        XCTAssertEqual(readText(tmp("f")), "new")
        XCTAssertEqual(readText(tmp("f~")), "old")
        XCTAssertEqual(directoryNames(tmp.path).sorted(), ["f", "f~"])
    }

    /// A backup name that is the file itself (an empty suffix into its own directory) is
    /// refused, never "made" by unlinking the only copy.
    func testBackupNameThatIsTheFileItselfIsRefused() throws {
        let tmp = try TemporaryDirectory()
        writeFile(tmp("f"), "old")
        var complete = try writer(over: tmp, backup: "f", contents: "new")
        XCTAssertThrowsError(try complete.commit()) { XCTAssertEqual(($0 as? FileSystemError)?.errno, EINVAL) }
        XCTAssertEqual(readText(tmp("f")), "old")
        XCTAssertEqual(directoryNames(tmp.path), ["f"])
    }
}
