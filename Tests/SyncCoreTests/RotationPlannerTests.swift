import XCTest
@testable import SyncCore

/// rsnapshot's rotation as a pure planner: the renames for every shape of snapshot root.
final class RotationPlannerTests: XCTestCase {
    private let policy = try! RetentionPolicy(parsing: ["daily=7", "weekly=4", "monthly=12"])

    private func names(_ texts: [String]) -> Set<SnapshotName> { Set(texts.map { SnapshotName($0)! }) }
    private func range(_ level: String, _ indices: ClosedRange<Int>) -> [String] { indices.map { "\(level).\($0)" } }
    private func steps(_ plan: RotationPlan) -> [String] { plan.steps.map(\.description) }

    func testTheFirstSnapshotIsJustRenamedIntoPlace() {
        let plan = RotationPlanner.plan(existing: [], policy: policy, promoting: [])
        XCTAssertEqual(steps(plan), ["rename .in-progress -> daily.0"])
        XCTAssertEqual(plan.expired, [])
    }

    func testAFullLevelDropsItsOldestAndShiftsTheRestOldestFirst() {
        let plan = RotationPlanner.plan(existing: names(range("daily", 0...6)), policy: policy, promoting: [])
        XCTAssertEqual(steps(plan), ["remove daily.6"] + (0...5).reversed().map { "rename daily.\($0) -> daily.\($0 + 1)" }
            + ["rename .in-progress -> daily.0"])
        XCTAssertEqual(plan.expired, [".expired.daily.6"])
    }

    func testALevelThatIsNotFullLosesNothing() {
        let plan = RotationPlanner.plan(existing: names(range("daily", 0...2)), policy: policy, promoting: [])
        XCTAssertEqual(steps(plan), ["rename daily.2 -> daily.3", "rename daily.1 -> daily.2", "rename daily.0 -> daily.1",
                                     "rename .in-progress -> daily.0"])
    }

    func testGapsStayGaps() {
        let plan = RotationPlanner.plan(existing: names(["daily.0", "daily.3"]), policy: policy, promoting: [])
        XCTAssertEqual(steps(plan), ["rename daily.3 -> daily.4", "rename daily.0 -> daily.1", "rename .in-progress -> daily.0"])
    }

    func testWeeklyTakesTheOldestDailyAsRsnapshotDoes() {
        let existing = names(range("daily", 0...6) + range("weekly", 0...3))
        let plan = RotationPlanner.plan(existing: existing, policy: policy, promoting: try! policy.promotions(["weekly"]))
        XCTAssertEqual(steps(plan), ["remove weekly.3", "rename weekly.2 -> weekly.3", "rename weekly.1 -> weekly.2",
                                     "rename weekly.0 -> weekly.1", "rename daily.6 -> weekly.0"]
            + (0...5).reversed().map { "rename daily.\($0) -> daily.\($0 + 1)" } + ["rename .in-progress -> daily.0"])
        XCTAssertEqual(plan.expired, [".expired.weekly.3"], "the promoted daily is moved, not removed")
        XCTAssertEqual(plan.idlePromotions, [])
    }

    func testAPromotionWithNothingToPromoteLeavesTheHigherLevelAlone() {
        let existing = names(range("daily", 0...4) + range("weekly", 0...3))
        let plan = RotationPlanner.plan(existing: existing, policy: policy, promoting: try! policy.promotions(["weekly"]))
        XCTAssertEqual(plan.idlePromotions, ["weekly"])
        XCTAssertFalse(plan.steps.contains { $0.from.hasPrefix("weekly") }, "\(steps(plan))")
    }

    func testHigherLevelsGoFirstAsTheirCronLinesWould() {
        let existing = names(range("daily", 0...6) + range("weekly", 0...3) + range("monthly", 0...1))
        let plan = RotationPlanner.plan(existing: existing, policy: policy, promoting: try! policy.promotions(["weekly", "monthly"]))
        let list = steps(plan)
        XCTAssertEqual(Array(list.prefix(3)), ["rename monthly.1 -> monthly.2", "rename monthly.0 -> monthly.1", "rename weekly.3 -> monthly.0"])
        XCTAssertEqual(list[3], "rename weekly.2 -> weekly.3", "weekly.3 went up a level: nothing of weekly is removed")
        XCTAssertTrue(list.contains("rename daily.6 -> weekly.0"))
        XCTAssertEqual(plan.expired, [])
    }

    func testASmallerCountRemovesEverythingBeyondItAndPromotesTheOldest() {
        let existing = names(range("daily", 0...9))
        XCTAssertEqual(RotationPlanner.plan(existing: existing, policy: policy, promoting: []).expired,
                       [".expired.daily.9", ".expired.daily.8", ".expired.daily.7", ".expired.daily.6"])
        let promoted = RotationPlanner.plan(existing: existing, policy: policy, promoting: [1])
        XCTAssertTrue(steps(promoted).contains("rename daily.9 -> weekly.0"), "the oldest daily is promoted")
        XCTAssertEqual(promoted.expired, [".expired.daily.8", ".expired.daily.7", ".expired.daily.6"])
    }

    func testACountOfOneReplacesTheOnlySnapshot() {
        let single = try! RetentionPolicy(parsing: ["daily=1", "weekly=2"])
        XCTAssertEqual(steps(RotationPlanner.plan(existing: names(["daily.0"]), policy: single, promoting: [])),
                       ["remove daily.0", "rename .in-progress -> daily.0"])
        XCTAssertEqual(steps(RotationPlanner.plan(existing: names(["daily.0", "weekly.0"]), policy: single, promoting: [1])),
                       ["rename weekly.0 -> weekly.1", "rename daily.0 -> weekly.0", "rename .in-progress -> daily.0"])
    }

    func testLevelsOutsideThePolicyAreLeftAlone() {
        let plan = RotationPlanner.plan(existing: names(["hourly.0", "hourly.5", "daily.0"]), policy: policy, promoting: [])
        XCTAssertFalse(plan.steps.contains { $0.from.hasPrefix("hourly") || $0.to.contains("hourly") })
    }

    func testTheNewestSnapshotIsTheLowestIndexOfTheLowestLevelThatHasOne() {
        XCTAssertNil(RotationPlanner.newest(existing: [], policy: policy))
        XCTAssertEqual(RotationPlanner.newest(existing: names(["daily.2", "daily.5", "weekly.0"]), policy: policy), SnapshotName("daily.2"))
        XCTAssertEqual(RotationPlanner.newest(existing: names(["weekly.1", "monthly.0"]), policy: policy), SnapshotName("weekly.1"))
    }

    /// Every plan, for any root and promotions, applies step by step without a clash and can be
    /// recognised from any prefix of it.
    func testEveryPlanAppliesCleanlyAndIsRecognisable() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var existing: Set<SnapshotName> = []
            for level in policy.levels {
                for index in 0..<(level.count + 3) where Bool.random(using: &generator) { existing.insert(SnapshotName(level: level.name, index: index)) }
            }
            let promoting = [2, 1].filter { _ in Bool.random(using: &generator) }
            let plan = RotationPlanner.plan(existing: existing, policy: policy, promoting: promoting)
            XCTAssertTrue(RotationPlan.isRecognisable(plan.steps), "\(plan.steps)")
            var state = Set(existing.map(\.description) + [RotationPlanner.inProgress])
            for step in plan.steps {
                XCTAssertTrue(state.remove(step.from) != nil, "\(step) in \(state)")
                XCTAssertTrue(state.insert(step.to).inserted, "\(step) in \(state)")
            }
            // A level that rotated keeps its count at most (others keep what they had until they rotate).
            let rotated = [0] + promoting.filter { !plan.idlePromotions.contains(policy.levels[$0].name) }
            for level in rotated.map({ policy.levels[$0] }) {
                XCTAssertLessThanOrEqual(state.filter { $0.hasPrefix(level.name + ".") }.count, level.count, "\(level.name): \(state)")
            }
            XCTAssertTrue(state.contains("daily.0"))
        }
    }

    /// A year of nightly runs scheduled as rsnapshot's cron lines are (monthly on the 1st of a
    /// 28-day month, weekly on the 7th days, daily otherwise): every snapshot holds the day it
    /// was taken on, and the ages are those rsnapshot keeps.
    func testAYearOfRunsKeepsTheAgesRsnapshotKeeps() {
        var snapshots: [String: Int] = [:]
        for day in 1...365 {
            let levels = (day % 28 == 0 ? ["monthly"] : []) + (day % 7 == 0 ? ["weekly"] : [])
            let plan = RotationPlanner.plan(existing: Set(snapshots.keys.compactMap(SnapshotName.init)), policy: policy,
                                            promoting: try! policy.promotions(levels))
            var next = snapshots
            next[RotationPlanner.inProgress] = day
            for step in plan.steps { next[step.to] = next.removeValue(forKey: step.from) }
            snapshots = next.filter { !$0.key.hasPrefix(RotationPlanner.expiredPrefix) }
        }
        XCTAssertEqual((0...6).map { snapshots["daily.\($0)"] }, (0...6).map { 365 - $0 })
        // Weekly snapshots are a week apart, the newest at most two weeks old.
        let weekly = (0...3).compactMap { snapshots["weekly.\($0)"] }
        XCTAssertEqual(weekly.count, 4)
        XCTAssertEqual(zip(weekly, weekly.dropFirst()).map { $0 - $1 }, [7, 7, 7])
        XCTAssertLessThanOrEqual(365 - weekly[0], 14)
        let monthly = (0...11).compactMap { snapshots["monthly.\($0)"] }
        XCTAssertEqual(monthly.count, 12)
        XCTAssertEqual(Set(zip(monthly, monthly.dropFirst()).map { $0 - $1 }), [28])
        XCTAssertEqual(snapshots.count, 7 + 4 + 12)
    }
}
