import XCTest
@testable import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// The temp-file half of the atomic writer (used where O_TMPFILE is not available, and when
/// the target name is taken).
final class AtomicFileWriterTests: XCTestCase {
    private func isTemporaryName(_ temp: [UInt8], for name: [UInt8]) -> Bool {
        guard temp.count == name.count + 8, temp.first == UInt8(ascii: "."), temp[temp.count - 7] == UInt8(ascii: ".") else { return false }
        guard Array(temp[1..<(1 + name.count)]) == name else { return false }
        return temp.suffix(6).allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }

    func testTemporaryNamesLookLikeRsyncs() {
        let name = b("report.pdf")
        var seen = Set<[UInt8]>()
        for _ in 0..<200 {
            let temp = AtomicFileWriter.temporaryName(for: name)
            XCTAssertTrue(isTemporaryName(temp, for: name), String(decoding: temp, as: UTF8.self))
            seen.insert(temp)
        }
        XCTAssertGreaterThan(seen.count, 190, "temp names must be random")
    }

    func testTemporaryNamesOfLongNamesStayWithinNAME_MAX() {
        let long = [UInt8](repeating: UInt8(ascii: "x"), count: 255)
        let temp = AtomicFileWriter.temporaryName(for: long)
        XCTAssertLessThanOrEqual(temp.count, 255)
        XCTAssertTrue(temp.starts(with: [UInt8(ascii: ".")] + long.prefix(240)))
    }

    func testCreateNamedTemporaryMakesAnExclusiveFileInTheDirectory() throws {
        let tmp = try TemporaryDirectory()
        let fd = try FileSystem.openDirectory(b(tmp.path), in: FileSystem.currentDirectory, path: tmp.path)
        let dir = LocalDirectory(descriptor: fd, displayPath: tmp.path)
        let (file, temp) = try AtomicFileWriter.createNamedTemporary(for: b("target"), in: dir)
        defer { close(file) }
        XCTAssertTrue(isTemporaryName(temp, for: b("target")))
        XCTAssertEqual(directoryNames(tmp.path), [String(decoding: temp, as: UTF8.self)])
        XCTAssertEqual(linkStatus(tmp(String(decoding: temp, as: UTF8.self)))?.permissions, 0o600)
    }

    func testAWriterOverALongNameCommitsAndLeavesNoTemp() async throws {
        let tmp = try TemporaryDirectory()
        let long = String(repeating: "n", count: 255)
        writeFile(tmp(long), "old")
        writeFile(tmp("src"), "new contents")
        let (src, status) = try FileSystem.openRegularFile(b(tmp("src")), in: FileSystem.currentDirectory, path: "src")
        let dir = try XCTUnwrap(LocalBackend().openRoot(b(tmp.path), relativeTo: nil, followSymlink: false))
        let written = try await LocalBackend().putFile(b(long), in: dir, from: LocalFileSource(descriptor: src, status: status, displayPath: "src"),
                                                       attributes: { _ in AttributeSet() }, options: WriteOptions())
        XCTAssertEqual(written, 12)
        XCTAssertEqual(readText(tmp(long)), "new contents")
        XCTAssertEqual(directoryNames(tmp.path).sorted(), [long, "src"].sorted())
    }
}
