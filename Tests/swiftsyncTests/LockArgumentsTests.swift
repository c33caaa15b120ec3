import XCTest
@testable import SwiftsyncCLI

final class LockArgumentsTests: XCTestCase {
    func testTheGlobalLockOptionsFollowTheSnapshotCommand() {
        XCTAssertEqual(LockArguments.movingLeadingLockOptions(["--lock", "/l", "--lock-wait", "10", "snapshot", "-a", "s/", "d"]),
                       ["snapshot", "--lock", "/l", "--lock-wait", "10", "-a", "s/", "d"])
        XCTAssertEqual(LockArguments.movingLeadingLockOptions(["--lock=/l", "--lock-wait=5", "snapshot", "s/", "d"]),
                       ["snapshot", "--lock=/l", "--lock-wait=5", "s/", "d"])
    }

    func testEverythingElseStaysAsGiven() {
        let syncs = [["--lock", "/l", "-a", "snapshot", "d/"], ["-a", "--lock", "/l", "s/", "d/"], ["snapshot", "--lock", "/l", "s/", "d"],
                     ["--lock", "/l"], ["--lock-wait", "3", "--", "snapshot", "d"]]
        for arguments in syncs { XCTAssertEqual(LockArguments.movingLeadingLockOptions(arguments), arguments) }
    }
}
