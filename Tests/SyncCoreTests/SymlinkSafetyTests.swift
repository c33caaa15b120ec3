import XCTest
@testable import SyncCore

/// rsync 3.5.0's unsafe-symlink rule, case by case (its behaviour, measured with
/// `rsync -rlv --safe-links`, is the oracle of test_symlink_safety.py).
final class SymlinkSafetyTests: XCTestCase {
    private func unsafe(_ target: String, at path: String) -> Bool {
        SymlinkSafety.isUnsafe(target: Array(target.utf8), at: Array(path.utf8))
    }

    func testRsyncsTableByDepth() {
        // target: unsafe at depth 0, 1, 2, 3 (the link in the top directory, one below, ...).
        let table: [(String, String)] = [
            ("..", "Usss"), ("../..", "UUUU"), ("../../..", "UUUU"), ("../x", "Usss"), ("../../x", "UUss"),
            ("./..", "UUUU"), ("./../x", "UUUU"), ("././x", "ssss"), ("a/.", "ssss"), ("./x", "ssss"),
            ("./", "ssss"), ("x/.", "ssss"), (".", "ssss"), ("..x", "ssss"), ("../.", "Usss"), ("./.", "ssss"),
            ("../../.", "UUss"), ("sub/..", "UUUU"), ("a//../../x", "UUUU"), ("..//x", "Usss"), ("../", "Usss"),
            (".../x", "ssss"), ("/etc/passwd", "UUUU"), ("", "UUUU"),
        ]
        let paths = ["l", "d1/l", "d1/d2/l", "d1/d2/d3/l"]
        for (target, expected) in table {
            let got = paths.map { unsafe(target, at: $0) ? "U" : "s" }.joined()
            XCTAssertEqual(got, expected, "target \(target)")
        }
    }

    func testTheLinksOwnPathCountsDotsAsRsyncDoes() {
        XCTAssertFalse(unsafe("../x", at: "./d/l"), "a . in the path is no level")
        XCTAssertTrue(unsafe("../x", at: "./l"))
        XCTAssertFalse(unsafe("../x", at: "a//l"), "repeated slashes are one")
    }

    func testMungedTargetsAreUnmungedOnce() {
        XCTAssertEqual(SymlinkSafety.unmunged(Array("/rsyncd-munged/x".utf8)), Array("x".utf8))
        XCTAssertEqual(SymlinkSafety.unmunged(Array("/rsyncd-munged//rsyncd-munged/x".utf8)), Array("/rsyncd-munged/x".utf8))
        XCTAssertNil(SymlinkSafety.unmunged(Array("/rsyncd-munged/".utf8)), "nothing after the prefix: left as it is")
        XCTAssertNil(SymlinkSafety.unmunged(Array("x".utf8)))
    }
}
