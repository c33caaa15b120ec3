import XCTest
@testable import SyncCore

/// The rotation journal: what it holds, what it refuses, and recovery from every point a run
/// can be killed at (also while recovering).
final class RotationJournalTests: XCTestCase {
    private let policy = try! RetentionPolicy(parsing: ["daily=3", "weekly=2"])

    private func plan(_ existing: [String], promoting: [String] = []) -> RotationPlan {
        RotationPlanner.plan(existing: Set(existing.compactMap(SnapshotName.init)), policy: policy, promoting: try! policy.promotions(promoting))
    }

    func testRoundTrip() throws {
        let steps = plan(["daily.0", "daily.1", "daily.2", "weekly.0", "weekly.1"], promoting: ["weekly"]).steps
        let bytes = RotationJournal.encode(steps)
        XCTAssertTrue(String(decoding: bytes, as: UTF8.self).hasPrefix("swiftsync rotation journal 1\nrename weekly.1 .expired.weekly.1\n"))
        XCTAssertEqual(try RotationJournal.decode(bytes), steps)
    }

    func testAnythingButAJournalOfRotationNamesIsRefused() {
        let good = "swiftsync rotation journal 1\nrename daily.0 daily.1\nrename .in-progress daily.0\n"
        XCTAssertNoThrow(try RotationJournal.decode(Array(good.utf8)))
        let bad = [
            "", "swiftsync rotation journal 2\nrename daily.0 daily.1\n",
            String(good.dropLast()),                                            // cut short
            "swiftsync rotation journal 1\n",                                   // no steps
            "swiftsync rotation journal 1\nrename ../etc daily.0\n",            // not a rotation name
            "swiftsync rotation journal 1\nrename daily.0 /tmp/x\n",
            "swiftsync rotation journal 1\nrename .expired.x daily.0\n",
            "swiftsync rotation journal 1\nmove daily.0 daily.1\n",
            "swiftsync rotation journal 1\nrename daily.0 daily.1 daily.2\n",
            "swiftsync rotation journal 1\nrename daily.0 daily.1\nrename daily.1 daily.2\n",   // not recognisable
            "swiftsync rotation journal 1\nrename daily.0 daily.1\nrename daily.2 daily.1\n",
        ]
        for text in bad {
            XCTAssertThrowsError(try RotationJournal.decode(Array(text.utf8)), text) { error in
                guard case SnapshotError.corruptJournal = error else { return XCTFail("\(error)") }
            }
        }
    }

    /// Kill after any number of steps, then recover (and kill the recovery after any number of
    /// its own steps, then recover again): the root is back as it was before the rotation, or,
    /// once the commit was done, as after it.
    func testRecoveryFromEveryPrefixRestoresAConsistentRoot() throws {
        let shapes: [([String], [String])] = [
            ([], []), (["daily.0"], []), (["daily.0", "daily.1", "daily.2"], []), (["daily.0", "daily.2"], []),
            (["daily.0", "daily.1", "daily.2", "weekly.0", "weekly.1"], ["weekly"]), (["daily.0", "daily.1", "daily.2"], ["weekly"]),
            (["daily.0", "daily.1", "daily.2", "daily.3", "daily.4"], ["weekly"]),
        ]
        for (existing, promoting) in shapes {
            let steps = plan(existing, promoting: promoting).steps
            // Each name holds the snapshot (here: its original name) that is in it.
            let before = Dictionary(uniqueKeysWithValues: (existing + [RotationPlanner.inProgress]).map { ($0, $0) })
            let after = apply(steps, to: before)
            for done in 0...steps.count {
                let crashed = apply(Array(steps.prefix(done)), to: before)
                let recovery = try RotationJournal.recovery(of: steps, exists: { crashed[$0] != nil })
                guard case .rollBack(let undo) = recovery else {
                    XCTAssertEqual(done, steps.count, "committed only when every step was done")
                    XCTAssertEqual(crashed, after)
                    continue
                }
                XCTAssertEqual(undo.count, done)
                XCTAssertEqual(apply(undo, to: crashed), before, "\(existing) killed after \(done) steps")
                for undone in 0..<undo.count {
                    let again = apply(Array(undo.prefix(undone)), to: crashed)
                    guard case .rollBack(let rest) = try RotationJournal.recovery(of: steps, exists: { again[$0] != nil }) else {
                        return XCTFail("a recovery cut short is still unfinished")
                    }
                    XCTAssertEqual(apply(rest, to: again), before, "\(existing): \(done) steps, recovery killed after \(undone)")
                }
            }
        }
    }

    func testARootChangedBySomethingElseIsNotTouched() {
        let steps = plan(["daily.0", "daily.1"]).steps
        // Killed before the first step, then someone deleted daily.1.
        XCTAssertThrowsError(try RotationJournal.recovery(of: steps, exists: { ["daily.0", RotationPlanner.inProgress].contains($0) })) { error in
            guard case SnapshotError.inconsistent = error else { return XCTFail("\(error)") }
        }
    }

    private func apply(_ steps: [RotationStep], to state: [String: String]) -> [String: String] {
        var state = state
        for step in steps {
            XCTAssertNil(state[step.to], "\(step) would replace \(step.to)")
            state[step.to] = state.removeValue(forKey: step.from)
        }
        return state
    }
}
