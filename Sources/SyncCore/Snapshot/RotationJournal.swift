/// The rotation's journal: the plan's renames, written durably before the first of them, so
/// that a run killed anywhere in the rotation leaves a state the next run can read.
///
/// No progress is recorded: the plan's steps are recognisable (``RotationPlan/isRecognisable(_:)``),
/// so the steps done are the leading ones whose targets exist. Recovery rolls an unfinished
/// rotation back (the new snapshot is still `.in-progress`, and the next run completes it) and
/// merely tidies up after a finished one (its last rename, the commit, was done).
public enum RotationJournal {
    /// The journal's name in the snapshot root.
    public static let fileName = ".rotation"
    static let header = "swiftsync rotation journal 1"

    /// What the journal holds: a header line, then `rename FROM TO` per step.
    public static func encode(_ steps: [RotationStep]) -> [UInt8] {
        Array(([header] + steps.map { "rename \($0.from) \($0.to)" }).map { $0 + "\n" }.joined().utf8)
    }

    /// Reads a journal, accepting only names a rotation makes (snapshot names, `.in-progress`,
    /// `.expired.` + a snapshot name) and a recognisable plan: a damaged or foreign file is an
    /// error, never a list of renames to carry out.
    public static func decode(_ bytes: [UInt8]) throws(SnapshotError) -> [RotationStep] {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first.map(String.init) == header, lines.last == "" else { throw .corruptJournal("not a complete rotation journal") }
        var steps: [RotationStep] = []
        for line in lines.dropFirst().dropLast() {
            let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            guard words.count == 3, words[0] == "rename", isRotationName(words[1]), isRotationName(words[2]) else {
                throw .corruptJournal("unexpected line \"\(line.prefix(80))\"")
            }
            steps.append(RotationStep(from: words[1], to: words[2]))
        }
        guard !steps.isEmpty, RotationPlan.isRecognisable(steps) else { throw .corruptJournal("the renames do not form a rotation") }
        return steps
    }

    static func isRotationName(_ name: String) -> Bool {
        if name == RotationPlanner.inProgress { return true }
        if name.hasPrefix(RotationPlanner.expiredPrefix) { return SnapshotName(String(name.dropFirst(RotationPlanner.expiredPrefix.count))) != nil }
        return SnapshotName(name) != nil
    }

    /// What recovery has to do.
    public enum Recovery: Equatable, Sendable {
        /// Every step was done: only the journal and the expired snapshots are left to remove.
        case committed
        /// These renames (each undoing a step, latest first) restore the state before the
        /// rotation; none at all when it stopped before its first rename.
        case rollBack([RotationStep])
    }

    /// Reads how far the steps got from which names exist, and says how to recover.
    /// Throws when the names fit no point of the rotation (something else changed the root).
    public static func recovery(of steps: [RotationStep], exists: (String) -> Bool) throws(SnapshotError) -> Recovery {
        let done = steps.firstIndex { !exists($0.to) } ?? steps.count
        if done == steps.count { return .committed }
        guard exists(steps[done].from) else {
            throw .inconsistent("the interrupted rotation stopped before \"\(steps[done])\", but \(steps[done].from) is missing")
        }
        return .rollBack(steps[..<done].reversed().map { RotationStep(from: $0.to, to: $0.from) })
    }
}
