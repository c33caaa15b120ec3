import XCTest
@testable import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// `-c`: the XXH3-128 of a file read through a descriptor equals that of the same bytes in
/// memory, whatever the size relative to the 1 MiB read buffer.
final class ContentChecksumTests: XCTestCase {
    func testDescriptorDigestEqualsBufferDigestAcrossBufferBoundaries() throws {
        let tmp = try TemporaryDirectory()
        for size in [0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3_000_000] {
            let bytes = pseudoRandomBytes(size, seed: UInt64(size + 1))
            writeFile(tmp("f"), bytes)
            let fd = open(tmp("f"), O_RDONLY | O_CLOEXEC)
            defer { close(fd) }
            let fromFile = try ContentChecksum.digest(of: fd, path: "f")
            let fromMemory = bytes.withUnsafeBytes { ContentChecksum.digest(of: $0) }
            XCTAssertEqual(fromFile, fromMemory, "size \(size)")
        }
    }

    func testDigestStartsAtTheCurrentOffset() throws {
        let tmp = try TemporaryDirectory()
        let bytes = pseudoRandomBytes(10_000)
        writeFile(tmp("f"), bytes)
        let fd = open(tmp("f"), O_RDONLY | O_CLOEXEC)
        defer { close(fd) }
        lseek(fd, 100, SEEK_SET)
        let tail = Array(bytes[100...])
        XCTAssertEqual(try ContentChecksum.digest(of: fd, path: "f"), tail.withUnsafeBytes { ContentChecksum.digest(of: $0) })
    }

    func testDigestDependsOnEveryByte() {
        var bytes = pseudoRandomBytes(1 << 16)
        let original = bytes.withUnsafeBytes { ContentChecksum.digest(of: $0) }
        var seen: Set<ContentChecksum.Digest> = [original]
        for position in [0, 1, 4095, 4096, (1 << 16) - 1] {
            bytes[position] ^= 0x01
            let changed = bytes.withUnsafeBytes { ContentChecksum.digest(of: $0) }
            XCTAssertNotEqual(changed, original, "flipping byte \(position) did not change the digest")
            XCTAssertNotEqual(changed.low, original.low)
            XCTAssertNotEqual(changed.high, original.high)
            seen.insert(changed)
            bytes[position] ^= 0x01
        }
        XCTAssertEqual(seen.count, 6)
        XCTAssertEqual(bytes.withUnsafeBytes { ContentChecksum.digest(of: $0) }, original)
    }

    func testReadErrorsAreThrown() {
        // A directory descriptor cannot be read: EISDIR, named by the path given.
        let fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { close(fd) }
        XCTAssertThrowsError(try ContentChecksum.digest(of: fd, path: "the-root")) { error in
            XCTAssertEqual((error as? FileSystemError)?.errno, EISDIR)
            XCTAssertEqual((error as? FileSystemError)?.path, "the-root")
            XCTAssertEqual((error as? FileSystemError)?.operation, "read")
        }
    }
}
