import XCTest
@testable import SyncCore

/// `-R`'s reading of a SRC argument: the anchor it is read from and the path it keeps (rsync
/// 3.5.0's behaviour with the same arguments is in test_relative.py).
final class RelativeSourceTests: XCTestCase {
    func parsed(_ argument: String) throws -> (String, String, Bool, Bool) {
        let r = try RelativeSource(argument)
        return (r.anchor, String(decoding: r.path, as: UTF8.self), r.trailingSlash, r.sendsAnchor)
    }

    func testPlainPathsKeepEverythingButALeadingSlash() throws {
        XCTAssertTrue(try parsed("a/b/c") == (".", "a/b/c", false, false))
        XCTAssertTrue(try parsed("/etc/ssh") == ("/", "etc/ssh", false, false))
        XCTAssertTrue(try parsed("//etc//ssh/") == ("/", "etc/ssh", true, false))
        XCTAssertTrue(try parsed("d/") == (".", "d", true, false))
    }

    func testADotComponentMarksWhereTheKeptPathStarts() throws {
        XCTAssertTrue(try parsed("/var/./log/nginx") == ("/var/", "log/nginx", false, false))
        XCTAssertTrue(try parsed("/tmp/w/./a/b") == ("/tmp/w/", "a/b", false, false))
        XCTAssertTrue(try parsed("/./etc") == ("/", "etc", false, false))
        // Only the first marks it; later ones are dropped from the kept path.
        XCTAssertTrue(try parsed("a/./b/./c") == ("a/", "b/c", false, false))
        XCTAssertTrue(try parsed("a/.b/c") == (".", "a/.b/c", false, false))
    }

    func testTheAnchorItselfIsSentForALeadingDotOrNothingAfterTheMarker() throws {
        XCTAssertTrue(try parsed("./a/top") == (".", "a/top", false, true))
        XCTAssertTrue(try parsed(".") == (".", "", false, true))
        XCTAssertTrue(try parsed("d/./") == ("d/", "", true, true))
        XCTAssertTrue(try parsed("d/.") == ("d/", "", true, true))
    }

    func testDotDotIsRefused() {
        for argument in ["../a/top", "a/../b", "/x/./../y", "a/.."] {
            XCTAssertThrowsError(try RelativeSource(argument), argument) { error in
                XCTAssertEqual((error as? RelativeSource.Refusal)?.message, "found \"..\" dir in relative path: \(argument)")
            }
        }
        XCTAssertNoThrow(try RelativeSource("a/..b/c"))
    }

    func testTheTopName() throws {
        XCTAssertEqual(try RelativeSource("/var/./log/nginx").topName, Array("log".utf8))
        XCTAssertEqual(try RelativeSource("f").topName, Array("f".utf8))
    }
}
