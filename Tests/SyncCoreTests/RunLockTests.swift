import Foundation
import XCTest
@testable import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// The run lock. flock locks belong to open file descriptions, so two opens of the lock file
/// in one process conflict as two processes would.
final class RunLockTests: XCTestCase {
    func testASecondRunWaitsForItsLimitThenGivesUpNamingTheHolder() throws {
        let dir = try TemporaryDirectory()
        let held = try RunLock.acquire(path: dir("lock"), wait: 0)
        let started = SystemClock.monotonicSeconds()
        XCTAssertThrowsError(try RunLock.acquire(path: dir("lock"), wait: 0.4)) { error in
            XCTAssertEqual(error as? RunLock.Failure, .busy(path: dir("lock"), waited: 0.4, holder: getpid()))
            XCTAssertEqual("\(error)", "another run holds the lock \(dir("lock")) (pid \(getpid())); gave up after waiting 0.4 s")
        }
        XCTAssertGreaterThanOrEqual(SystemClock.monotonicSeconds() - started, 0.4)
        XCTAssertThrowsError(try RunLock.acquire(path: dir("lock"), wait: 0)) { error in
            XCTAssertTrue("\(error)".hasSuffix("did not wait (--lock-wait 0)"), "\(error)")
        }
        withExtendedLifetime(held) {}
    }

    func testTheLockIsFreeOnceItsHolderIsGoneAndAWaiterGetsIt() throws {
        let dir = try TemporaryDirectory()
        final class Holder: @unchecked Sendable { var lock: RunLock? }
        let holder = Holder()
        holder.lock = try RunLock.acquire(path: dir("lock"), wait: 0)
        let release = Thread {
            usleep(300_000)
            holder.lock = nil
        }
        release.start()
        let started = SystemClock.monotonicSeconds()
        let second = try RunLock.acquire(path: dir("lock"), wait: 10)
        XCTAssertLessThan(SystemClock.monotonicSeconds() - started, 5, "got it soon after the holder let go")
        XCTAssertEqual(second.path, dir("lock"))
    }

    func testALockFileThatCannotBeOpenedIsItsOwnError() throws {
        let dir = try TemporaryDirectory()
        XCTAssertThrowsError(try RunLock.acquire(path: dir("missing/lock"), wait: 5)) { error in
            guard case .unusable(let cause)? = error as? RunLock.Failure else { return XCTFail("\(error)") }
            XCTAssertEqual(cause.errno, ENOENT)
        }
    }

    func testOnlyALivingHoldersPidIsNamed() {
        XCTAssertEqual(RunLock.pid(in: Array("\(getpid())\n".utf8)), getpid())
        XCTAssertNil(RunLock.pid(in: Array("2147483646\n".utf8)), "a pid left by a holder that is gone")
        XCTAssertNil(RunLock.pid(in: []), "flock(1) writes nothing")
        XCTAssertNil(RunLock.pid(in: Array("0\n".utf8)))
    }
}
