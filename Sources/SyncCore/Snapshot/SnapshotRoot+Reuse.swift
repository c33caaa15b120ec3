import SyncSystem
extension SnapshotRoot {
    /// Makes `.in-progress`, left by an interrupted run, safe to sync into again: every file
    /// in it that is a hard link to a file of `snapshot` (which `--link-dest` made) is unlinked,
    /// so that fixing its attributes cannot change the finished snapshot's file as well. The
    /// next sync links or copies those again; what it copied stays. Returns how many.
    public func unshareInProgress(from snapshot: String) throws(SnapshotError) -> Int {
        var shared: Set<InodeKey> = []
        try SnapshotTree.walk(Array(snapshot.utf8), in: descriptor, path: path(of: snapshot)) { (status, _, _, _) throws(SnapshotError) in
            if status.kind != .directory && status.linkCount > 1 { shared.insert(InodeKey(status)) }
        }
        guard !shared.isEmpty else { return 0 }
        var unlinked = 0
        try SnapshotTree.walk(Array(RotationPlanner.inProgress.utf8), in: descriptor, path: path(of: RotationPlanner.inProgress)) { (status, parent, name, path) throws(SnapshotError) in
            guard status.kind != .directory, status.linkCount > 1, shared.contains(InodeKey(status)) else { return }
            do throws(FileSystemError) {
                try FileSystem.remove(name, in: parent, isDirectory: false, path: path)
            } catch {
                throw .fileSystem(error)
            }
            unlinked += 1
        }
        return unlinked
    }
}
