#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// The snapshot root (`DEST_ROOT`) on disk: the snapshots, `.in-progress`, the rotation journal.
///
/// Every rename here refuses to replace an existing name, so a root in an unexpected state
/// stops the rotation instead of losing a snapshot. All of it makes blocking syscalls: run it
/// on a ``BlockingExecutor`` thread.
public final class SnapshotRoot: @unchecked Sendable {
    /// The root as given.
    public let path: String
    let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { FileSystem.close(descriptor) }

    /// Opens the root; with `create`, makes it first if it is missing (not its parents). Nil
    /// when it does not exist and `create` is false.
    public static func open(_ path: String, create: Bool) throws(SnapshotError) -> SnapshotRoot? {
        let bytes = Array(path.utf8)
        do {
            if create {
                do {
                    try FileSystem.makeDirectory(bytes, in: FileSystem.currentDirectory, mode: 0o755, path: path)
                } catch where error.errno == EEXIST {}
            }
            let fd = try FileSystem.openDirectory(bytes, in: FileSystem.currentDirectory, followSymlink: true, path: path)
            return SnapshotRoot(path: path, descriptor: fd)
        } catch where !create && error.errno == ENOENT {
            return nil
        } catch {
            throw .fileSystem(error)
        }
    }

    /// `DEST_ROOT/name`, for messages and for the engine.
    public func path(of name: String) -> String { path.hasSuffix("/") ? path + name : path + "/" + name }

    func exists(_ name: String) -> Bool {
        (try? FileSystem.linkStatus(Array(name.utf8), in: descriptor, path: "")) != nil
    }

    func isDirectory(_ name: String) -> Bool {
        (try? FileSystem.linkStatus(Array(name.utf8), in: descriptor, path: ""))?.kind == .directory
    }

    /// Every name in the root.
    func names() throws(SnapshotError) -> [String] {
        do {
            return try FileSystem.readDirectoryNames(descriptor, path: path).map { String(decoding: $0, as: UTF8.self) }
        } catch {
            throw .fileSystem(error)
        }
    }

    /// The snapshot directories (`LEVEL.N`) of any level.
    public func snapshots() throws(SnapshotError) -> Set<SnapshotName> {
        Set(try names().compactMap { name in SnapshotName(name).flatMap { isDirectory(name) ? $0 : nil } })
    }

    /// Whether an interrupted run left a snapshot under construction.
    public var hasInProgress: Bool { isDirectory(RotationPlanner.inProgress) }

    /// Sets a snapshot directory's time, which `snapshot list` shows as its date (rsnapshot
    /// does the same): the time the sync into it finished.
    public func stamp(_ name: String) throws(SnapshotError) {
        let time = SystemClock.now()
        do {
            try FileSystem.setTimes(Array(name.utf8), in: descriptor, access: time, modification: time, path: path(of: name))
        } catch {
            throw .fileSystem(error)
        }
    }

    // MARK: Rotation

    /// Carries out `plan`: journal first, then the renames (the last one commits), then the
    /// journal goes and the expired snapshots are deleted.
    public func rotate(_ plan: RotationPlan) throws(SnapshotError) {
        precondition(RotationPlan.isRecognisable(plan.steps), "a rotation plan must be recognisable from any prefix")
        try writeJournal(plan.steps)
        for step in plan.steps { try rename(step) }
        try synchronizeDirectory()
        try remove(RotationJournal.fileName)
        try removeExpired()
    }

    /// Finishes what an interrupted run left: undoes an unfinished rotation (the snapshot it
    /// was adding is back in `.in-progress`) or tidies up after a committed one, and deletes
    /// expired snapshots whose deletion was cut short. Returns what was done, for `-v`.
    public func recover() throws(SnapshotError) -> String? {
        try removeLeftover(RotationJournal.fileName + ".tmp")
        guard let steps = try readJournal() else {
            return try removeExpired() > 0 ? "finished deleting expired snapshots" : nil
        }
        switch try RotationJournal.recovery(of: steps, exists: exists) {
        case .committed:
            try remove(RotationJournal.fileName)
            try removeExpired()
            return "finished an interrupted rotation"
        case .rollBack(let undo):
            for step in undo { try rename(step) }
            try synchronizeDirectory()
            try remove(RotationJournal.fileName)
            return undo.isEmpty ? "an interrupted rotation had not started; nothing to undo"
                : "undid \(undo.count) rename\(undo.count == 1 ? "" : "s") of an interrupted rotation"
        }
    }

    /// The journal's steps, nil when there is none.
    func readJournal() throws(SnapshotError) -> [RotationStep]? {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readSmallFile(Array(RotationJournal.fileName.utf8), in: descriptor, path: path(of: RotationJournal.fileName))
        } catch where error.errno == ENOENT {
            return nil
        } catch {
            throw .fileSystem(error)
        }
        return try RotationJournal.decode(bytes)
    }

    /// Writes the journal durably: a temp file, fsync, rename, fsync of the root.
    func writeJournal(_ steps: [RotationStep]) throws(SnapshotError) {
        let temp = Array((RotationJournal.fileName + ".tmp").utf8)
        let display = path(of: RotationJournal.fileName)
        do {
            let fd = try FileSystem.open(temp, in: descriptor, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644, path: display)
            defer { FileSystem.close(fd) }
            try FileSystem.writeAll(fd, RotationJournal.encode(steps), path: display)
            try FileSystem.synchronize(fd, path: display)
            try FileSystem.rename(temp, in: descriptor, to: Array(RotationJournal.fileName.utf8), in: descriptor, path: display)
        } catch {
            throw .fileSystem(error)
        }
        try synchronizeDirectory()
    }

    /// One step, never replacing what is there.
    func rename(_ step: RotationStep) throws(SnapshotError) {
        do {
            try FileSystem.rename(Array(step.from.utf8), in: descriptor, to: Array(step.to.utf8), in: descriptor, noReplace: true,
                                  path: path(of: step.from) + " -> " + step.to)
        } catch where error.errno == EEXIST {
            throw .inconsistent("cannot \(step): \(step.to) exists")
        } catch {
            throw .fileSystem(error)
        }
    }

    func synchronizeDirectory() throws(SnapshotError) {
        do { try FileSystem.synchronize(descriptor, path: path) } catch { throw .fileSystem(error) }
    }

    /// Deletes every `.expired.` snapshot; returns how many.
    @discardableResult
    func removeExpired() throws(SnapshotError) -> Int {
        let expired = try names().filter { $0.hasPrefix(RotationPlanner.expiredPrefix) }
        for name in expired { try remove(name) }
        return expired.count
    }

    private func remove(_ name: String) throws(SnapshotError) {
        do { try FileSystem.removeTree(Array(name.utf8), in: descriptor, path: path(of: name), makingWritable: true) } catch { throw .fileSystem(error) }
    }

    private func removeLeftover(_ name: String) throws(SnapshotError) {
        if exists(name) { try remove(name) }
    }
}
