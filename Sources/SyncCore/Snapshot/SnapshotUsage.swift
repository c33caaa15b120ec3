import SyncSystem
/// What `snapshot list` shows: every snapshot, and the space they take together.
public struct SnapshotSurvey: Sendable, Equatable {
    /// Newest first, `.in-progress` before the others.
    public let snapshots: [SnapshotSummary]
    /// Disk space of all of them together (`du -s` of them all).
    public let totalBytes: Int64
}

/// One snapshot as `snapshot list` shows it.
public struct SnapshotSummary: Sendable, Equatable {
    public let name: String
    /// The snapshot directory's time: when its sync finished (see ``SnapshotRoot/stamp(_:)``).
    public let time: FileTime
    /// Disk space of the snapshot on its own, as `du -s` counts it (blocks; hard links once).
    public let bytes: Int64
    /// The space only this snapshot uses, which deleting it would free: files whose inode no
    /// other snapshot shares, and its directories (`du -s` of it after all the others).
    public let addedBytes: Int64
    /// False for `.in-progress`, a snapshot an interrupted run left unfinished.
    public let complete: Bool
}

extension SnapshotRoot {
    /// Every snapshot (of any level) and `.in-progress`, newest first, with the space each
    /// really adds. Counted by inode, so the hard links of files shared between snapshots
    /// count once, for the snapshots that share them all together; memory grows with the
    /// number of multiply-linked files.
    public func survey() throws(SnapshotError) -> SnapshotSurvey {
        var names = try snapshots().map(\.description)
        if hasInProgress { names.append(RotationPlanner.inProgress) }

        struct Linked {
            let owner: Int
            var lastSeen: Int
            let bytes: Int64
            var shared: Bool
        }
        var linked: [InodeKey: Linked] = [:]
        var total = [Int64](repeating: 0, count: names.count), unshared = total
        var times = [FileTime](repeating: FileTime(seconds: 0), count: names.count)
        for (index, name) in names.enumerated() {
            let top = path(of: name)
            try SnapshotTree.walk(Array(name.utf8), in: descriptor, path: top) { (status, _, _, path) throws(SnapshotError) in
                if path == top { times[index] = status.mtime }
                let bytes = status.blocks * 512
                guard status.kind != .directory && status.linkCount > 1 else {
                    total[index] += bytes
                    unshared[index] += bytes
                    return
                }
                let key = InodeKey(status)
                guard var entry = linked[key] else {
                    linked[key] = Linked(owner: index, lastSeen: index, bytes: bytes, shared: false)
                    total[index] += bytes
                    return
                }
                if entry.lastSeen != index {
                    total[index] += bytes
                    entry.lastSeen = index
                    entry.shared = true
                    linked[key] = entry
                }
            }
        }
        var added = unshared
        for entry in linked.values where !entry.shared { added[entry.owner] += entry.bytes }
        let summaries = names.indices.map { i in
            SnapshotSummary(name: names[i], time: times[i], bytes: total[i], addedBytes: added[i],
                            complete: names[i] != RotationPlanner.inProgress)
        }
        let all = unshared.reduce(0, +) + linked.values.reduce(0) { $0 + $1.bytes }
        return SnapshotSurvey(snapshots: summaries.sorted { a, b in
            if a.complete != b.complete { return !a.complete }
            if a.time != b.time { return a.time > b.time }
            guard let x = SnapshotName(a.name), let y = SnapshotName(b.name) else { return a.name < b.name }
            return x < y
        }, totalBytes: all)
    }
}
