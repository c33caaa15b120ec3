import SyncCore
import XCTest
@testable import S3
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// A download's directories are reached from the root's descriptor one component at a time,
/// never through a symlink (issue 13, item 1): what lies beyond a symlink is out of reach.
final class LocalTreeTests: XCTestCase {
    private var base = ""

    override func setUpWithError() throws {
        var template = Array("/tmp/swiftsync-localtree-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        base = String(cString: try XCTUnwrap(made))
        for directory in ["dst", "dst/real", "dst/real/inner", "outside", "outside/inner"] {
            XCTAssertEqual(mkdir(base + "/" + directory, 0o755), 0)
        }
        XCTAssertEqual(symlink("../outside", base + "/dst/link"), 0)
        XCTAssertEqual(symlink("dst", base + "/rootlink"), 0)
        XCTAssertEqual(close(open(base + "/dst/file", O_CREAT | O_WRONLY, 0o644)), 0)
    }

    override func tearDownWithError() throws {
        try FileSystem.removeTree(Array(base.utf8), in: FileSystem.currentDirectory, path: base)
    }

    private func path(_ name: String) -> [UInt8] { Array(name.utf8) }

    func testDirectoriesBelowTheRootAreReachedWithoutFollowingSymlinks() throws {
        let tree = LocalTree(root: base + "/dst")
        let inner = try tree.directory(path("real/inner"), for: path("real/inner/f"), operation: "writing")
        XCTAssertEqual(inner.displayPath, base + "/dst/real/inner")
        XCTAssertNotNil(try? tree.directory([], for: path("f"), operation: "writing"), "the root itself")
        XCTAssertThrowsError(try tree.directory(path("link/inner"), for: path("link/inner/f"), operation: "writing")) { error in
            let refusal = error as? DestinationPathError
            XCTAssertEqual(refusal?.isSymlink, true)
            XCTAssertEqual("\(error)", "not writing \"\(base)/dst/link/inner/f\": \"\(base)/dst/link\" is a symlink, which is never followed")
        }
        XCTAssertThrowsError(try tree.directory(path("file"), for: path("file/f"), operation: "deleting")) { error in
            XCTAssertEqual("\(error)", "not deleting \"\(base)/dst/file/f\": \"\(base)/dst/file\" is not a directory")
        }
        XCTAssertThrowsError(try tree.directory(path("missing"), for: path("missing/f"), operation: "writing")) { error in
            XCTAssertEqual((error as? FileSystemError)?.errno, ENOENT)
        }
    }

    func testTheRootMayBeASymlinkAsOnTheCommandLine() throws {
        let tree = LocalTree(root: base + "/rootlink")
        XCTAssertNoThrow(try tree.directory(path("real"), for: path("real/f"), operation: "writing"))
        XCTAssertThrowsError(try tree.directory(path("link"), for: path("link/f"), operation: "writing"))
    }

    func testDestinationFilesAreOpenedThroughNoSymlink() throws {
        XCTAssertEqual(close(open(base + "/outside/secret", O_CREAT | O_WRONLY, 0o644)), 0)
        XCTAssertEqual(symlink("../outside/secret", base + "/dst/real/leaf"), 0)
        let tree = LocalTree(root: base + "/dst")
        XCTAssertThrowsError(try tree.openInDestination(FlatEntry(path: path("link/secret"), kind: .file)))
        XCTAssertThrowsError(try tree.openInDestination(FlatEntry(path: path("real/leaf"), kind: .file)))
        let fd = try tree.openInDestination(FlatEntry(path: path("file"), kind: .file))
        close(fd)
    }
}
