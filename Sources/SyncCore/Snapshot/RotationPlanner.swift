/// One step of a rotation: a rename inside the snapshot root. A snapshot that goes is renamed
/// to an `.expired.` name and deleted only once the whole rotation is committed, so that every
/// step can be undone.
public struct RotationStep: Hashable, Sendable, CustomStringConvertible {
    public let from: String
    public let to: String

    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }

    /// Whether the step retires a snapshot (renames it for deletion).
    public var expires: Bool { to.hasPrefix(RotationPlanner.expiredPrefix) }

    public var description: String { expires ? "remove \(from)" : "rename \(from) -> \(to)" }
}

/// What one snapshot run does to the snapshot root once the new snapshot is complete.
public struct RotationPlan: Sendable, Equatable {
    /// The renames, in order; the last one puts the new snapshot in place (the commit point).
    public var steps: [RotationStep]
    /// `--level` names that had nothing to promote (the level below is not full yet).
    public var idlePromotions: [String]

    /// The `.expired.` names to delete after the commit.
    public var expired: [String] { steps.filter(\.expires).map(\.to) }

    /// Whether any prefix of `steps` can be recognised from the names that exist alone: every
    /// name is the target of one step at most and never the source of a later one. Then the
    /// steps done are exactly the leading ones whose targets exist (see ``RotationJournal``).
    public static func isRecognisable(_ steps: [RotationStep]) -> Bool {
        var targets: Set<String> = []
        for step in steps {
            if targets.contains(step.from) || !targets.insert(step.to).inserted || step.from == step.to { return false }
        }
        return true
    }
}

/// rsnapshot's rotation as a pure function of the names in the snapshot root.
///
/// A run of the lowest level (`daily`) removes `daily.(N-1)` (and any beyond, left by a larger
/// count), renames `daily.i` to `daily.(i+1)` from the oldest down, and renames the finished
/// `.in-progress` to `daily.0`. A run with `--level weekly` first does what `rsnapshot weekly`
/// does: the same shift of the weeklies, then the oldest daily becomes `weekly.0` (a rename:
/// hard links make it free). Higher levels go first, as rsnapshot's cron lines run them. One
/// difference: when the level below has nothing to give yet, rsnapshot still shifts (and drops
/// the oldest of) the higher level; here that level is left as it is.
public enum RotationPlanner {
    /// Where a snapshot is built until it is complete.
    public static let inProgress = ".in-progress"
    /// The prefix of snapshots on their way out.
    public static let expiredPrefix = ".expired."

    /// The rotation for a new lowest-level snapshot, promoting the levels at `promoting`
    /// (positions in `policy.levels`, highest first; see ``RetentionPolicy/promotions(_:)``).
    /// `existing` holds the snapshot names in the root; names of other levels are left alone.
    public static func plan(existing: Set<SnapshotName>, policy: RetentionPolicy, promoting: [Int]) -> RotationPlan {
        var present = existing
        var steps: [RotationStep] = []
        var idle: [String] = []

        func move(_ from: String, _ to: SnapshotName) {
            steps.append(RotationStep(from: from, to: to.description))
            present.insert(to)
        }
        func shift(_ level: RetentionPolicy.Level) {
            let beyond = present.filter { $0.level == level.name && $0.index >= level.count - 1 }.sorted { $0.index > $1.index }
            for name in beyond {
                steps.append(RotationStep(from: name.description, to: expiredPrefix + name.description))
                present.remove(name)
            }
            for index in stride(from: level.count - 2, through: 0, by: -1) {
                let name = SnapshotName(level: level.name, index: index)
                if present.remove(name) != nil { move(name.description, SnapshotName(level: level.name, index: index + 1)) }
            }
        }

        for position in promoting where position > 0 && position < policy.levels.count {
            let level = policy.levels[position], lower = policy.levels[position - 1]
            // The oldest of the level below: its last slot, or beyond it if the count shrank.
            guard let oldest = present.filter({ $0.level == lower.name && $0.index >= lower.count - 1 }).max(by: { $0.index < $1.index }) else {
                idle.append(level.name)
                continue
            }
            shift(level)
            present.remove(oldest)
            move(oldest.description, SnapshotName(level: level.name, index: 0))
        }
        shift(policy.lowest)
        move(inProgress, SnapshotName(level: policy.lowest.name, index: 0))
        return RotationPlan(steps: steps, idlePromotions: idle)
    }

    /// The newest snapshot, which a new one hard-links its unchanged files to: the lowest
    /// index of the lowest level that has one.
    public static func newest(existing: Set<SnapshotName>, policy: RetentionPolicy) -> SnapshotName? {
        for level in policy.levels {
            if let name = existing.filter({ $0.level == level.name }).min(by: { $0.index < $1.index }) { return name }
        }
        return nil
    }
}
