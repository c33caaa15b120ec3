import XCTest
@testable import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// The snapshot root on a real filesystem: rotation, recovery after a kill at every rename,
/// making a reused `.in-progress` safe, and counting the space each snapshot adds.
final class SnapshotRootTests: XCTestCase {
    private let policy = try! RetentionPolicy(parsing: ["daily=3", "weekly=2"])

    /// A root holding `names`, each directory with a `which` file naming it.
    private func makeRoot(_ names: [String]) throws -> (TemporaryDirectory, SnapshotRoot) {
        let dir = try TemporaryDirectory()
        for name in names {
            XCTAssertEqual(mkdir(dir(name), 0o755), 0)
            writeFile(dir(name + "/which"), b(name))
        }
        return (dir, try SnapshotRoot.open(dir.path, create: false)!)
    }

    /// Name in the root → the `which` file inside it (the snapshot it holds).
    private func contents(_ dir: TemporaryDirectory) throws -> [String: String] {
        var result: [String: String] = [:]
        let fd = try FileSystem.openDirectory(b(dir.path), in: FileSystem.currentDirectory, path: dir.path)
        defer { FileSystem.close(fd) }
        for name in try FileSystem.readDirectoryNames(fd, path: dir.path) {
            let text = String(decoding: name, as: UTF8.self)
            let which = try? FileSystem.readSmallFile(b(text + "/which"), in: fd, path: text)
            result[text] = which.map { String(decoding: $0, as: UTF8.self) } ?? "(file)"
        }
        return result
    }

    private func plan(_ root: SnapshotRoot, promoting: [String] = []) throws -> RotationPlan {
        RotationPlanner.plan(existing: try root.snapshots(), policy: policy, promoting: try policy.promotions(promoting))
    }

    func testARotationRenamesAndDeletesAsPlanned() throws {
        let (dir, root) = try makeRoot(["daily.0", "daily.1", "daily.2", "weekly.0", "weekly.1", RotationPlanner.inProgress])
        try root.rotate(try plan(root, promoting: ["weekly"]))
        XCTAssertEqual(try contents(dir), ["daily.0": ".in-progress", "daily.1": "daily.0", "daily.2": "daily.1",
                                           "weekly.0": "daily.2", "weekly.1": "weekly.0"])
    }

    /// The journal is written, then the run is killed after `done` renames: recovery puts every
    /// snapshot back where it was (the new one in .in-progress), and the next rotation completes.
    func testRecoveryAfterAKillAtEveryRename() throws {
        let names = ["daily.0", "daily.1", "daily.2", "weekly.0", "weekly.1", RotationPlanner.inProgress]
        let (reference, referenceRoot) = try makeRoot(names)
        let before = try contents(reference)
        let steps = try plan(referenceRoot, promoting: ["weekly"]).steps
        try referenceRoot.rotate(try plan(referenceRoot, promoting: ["weekly"]))
        let after = try contents(reference)
        for done in 0...steps.count {
            let (dir, root) = try makeRoot(names)
            try root.writeJournal(steps)
            for step in steps.prefix(done) { try root.rename(step) }
            let message = try root.recover()
            XCTAssertNotNil(message)
            if done == steps.count {
                XCTAssertEqual(try contents(dir), after, "committed: only tidied up")
                continue
            }
            XCTAssertEqual(try contents(dir), before, "killed after \(done) renames")
            XCTAssertNil(try root.recover(), "nothing is left to recover")
            try root.rotate(try plan(root, promoting: ["weekly"]))
            XCTAssertEqual(try contents(dir), after)
        }
    }

    func testExpiredSnapshotsLeftByAKilledDeletionAreDeletedAndAForeignJournalStopsEverything() throws {
        let (dir, root) = try makeRoot(["daily.0", ".expired.daily.2"])
        XCTAssertEqual(try root.recover(), "finished deleting expired snapshots")
        XCTAssertEqual(try contents(dir), ["daily.0": "daily.0"])
        writeFile(dir(RotationJournal.fileName), b("rm -rf /\n"))
        XCTAssertThrowsError(try root.recover()) { error in
            guard case SnapshotError.corruptJournal = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try contents(dir)["daily.0"], "daily.0")
    }

    func testARotationNeverReplacesAName() throws {
        let (dir, root) = try makeRoot(["daily.0", RotationPlanner.inProgress])
        let steps = try plan(root).steps
        XCTAssertEqual(mkdir(dir("daily.1"), 0o755), 0, "appears behind the planner's back")
        XCTAssertThrowsError(try root.rotate(RotationPlan(steps: steps, idlePromotions: []))) { error in
            guard case SnapshotError.inconsistent = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try contents(dir)["daily.0"], "daily.0")
    }

    func testAReusedInProgressStopsSharingInodesWithTheSnapshotItLinkedTo() throws {
        let (dir, root) = try makeRoot(["daily.0", RotationPlanner.inProgress])
        writeFile(dir("daily.0/same"), b("unchanged"))
        XCTAssertEqual(mkdir(dir("daily.0/sub"), 0o755), 0)
        writeFile(dir("daily.0/sub/deep"), b("deep"))
        XCTAssertEqual(mkdir(dir(".in-progress/sub"), 0o755), 0)
        XCTAssertEqual(link(dir("daily.0/same"), dir(".in-progress/same")), 0)
        XCTAssertEqual(link(dir("daily.0/sub/deep"), dir(".in-progress/sub/deep")), 0)
        writeFile(dir(".in-progress/copied"), b("copied by the interrupted run"))
        writeFile(dir(".in-progress/a"), b("x"))
        XCTAssertEqual(link(dir(".in-progress/a"), dir(".in-progress/b")), 0, "-H links within the new snapshot stay")
        XCTAssertEqual(try root.unshareInProgress(from: "daily.0"), 2)
        XCTAssertEqual(access(dir(".in-progress/same"), F_OK), -1)
        XCTAssertEqual(access(dir(".in-progress/sub/deep"), F_OK), -1)
        for kept in ["daily.0/same", "daily.0/sub/deep", ".in-progress/copied", ".in-progress/a", ".in-progress/b"] {
            XCTAssertEqual(access(dir(kept), F_OK), 0, kept)
        }
    }

    func testSurveyCountsEachInodeOnceAndOnlyUnsharedSpaceAsAdded() throws {
        let (dir, root) = try makeRoot(["daily.0", "daily.1", "weekly.0"])
        let big = [UInt8](repeating: 7, count: 64 * 1024)
        writeFile(dir("weekly.0/shared"), big)
        XCTAssertEqual(link(dir("weekly.0/shared"), dir("daily.1/shared")), 0)
        XCTAssertEqual(link(dir("weekly.0/shared"), dir("daily.0/shared")), 0)
        writeFile(dir("daily.0/own"), big + big)
        XCTAssertEqual(link(dir("daily.0/own"), dir("daily.0/own-again")), 0, "a link within one snapshot is its own")
        XCTAssertEqual(utimensat(AT_FDCWD, dir("weekly.0"), [timespec(tv_sec: 1000, tv_nsec: 0), timespec(tv_sec: 1000, tv_nsec: 0)], 0), 0)
        XCTAssertEqual(utimensat(AT_FDCWD, dir("daily.1"), [timespec(tv_sec: 2000, tv_nsec: 0), timespec(tv_sec: 2000, tv_nsec: 0)], 0), 0)
        let all = try root.survey()
        let survey = all.snapshots
        XCTAssertEqual(survey.map(\.name), ["daily.0", "daily.1", "weekly.0"], "newest first")
        func blocks(_ path: String) throws -> Int64 { try FileSystem.linkStatus(b(dir(path)), in: FileSystem.currentDirectory, path: path).blocks * 512 }
        let directory = try blocks("daily.0"), which = try blocks("daily.0/which")
        let shared = try blocks("weekly.0/shared"), own = try blocks("daily.0/own")
        XCTAssertEqual(survey[0].bytes, directory + which + shared + own)
        XCTAssertEqual(survey[0].addedBytes, directory + which + own)
        XCTAssertEqual(survey[1].addedBytes, try blocks("daily.1") + which)
        XCTAssertEqual(survey[2].bytes, try blocks("weekly.0") + which + shared)
        XCTAssertEqual(survey[2].addedBytes, try blocks("weekly.0") + which)
        XCTAssertEqual(survey[2].time.seconds, 1000)
        XCTAssertTrue(survey.allSatisfy(\.complete))
        XCTAssertEqual(all.totalBytes, survey.reduce(0) { $0 + $1.addedBytes } + shared)
    }
}
