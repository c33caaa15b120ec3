import XCTest
@testable import SwiftsyncCLI

/// rsync's rule for which arguments name another host (issue 13, item 7).
final class RemotePathTests: XCTestCase {
    func testRemoteForms() {
        for argument in ["host:data/", "host:", "user@host:/backups", "host::module", "host::", "rsync://host/module/", "h:a/b:c"] {
            XCTAssertTrue(RemotePath.isRemote(argument), argument)
        }
    }

    func testLocalForms() {
        for argument in ["./host:data", "/abs/host:data", "dir/a:b", "plain", "s3://bucket/prefix/", "", "/"] {
            XCTAssertFalse(RemotePath.isRemote(argument), argument)
        }
    }
}
