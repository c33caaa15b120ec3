#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// Deleting what the source no longer has: --delete, protected files, --max-delete, backups.
extension SyncEngine {

    /// Deletes one destination entry the source no longer has (within `--max-delete`).
    func delete(_ entry: FileEntry, in dst: DirectoryRef, directoryPath: [UInt8]) async {
        if let limit = options.maxDelete {
            if deletionCount.add(1, ordering: .relaxed).newValue > limit {
                reporter.statistics.add(.deletionsSkipped)
                reporter.maxDeleteReached()
                return
            }
        }
        if options.backup && entry.kind == .directory {
            await deleteBackingUp(entry.name, in: dst, path: DisplayPath.join(directoryPath, entry.name))
            return
        }
        if options.backup {
            let path = DisplayPath.join(directoryPath, entry.name)
            if await makeBackup(name: entry.name, in: dst, directoryPath: directoryPath) != nil {
                reporter.deleted(path: path, kind: entry.kind)
            }
            return
        }
        if entry.kind == .directory && !options.filters.isEmpty {
            _ = await deleteProtectingFiltered(entry.name, in: dst, path: DisplayPath.join(directoryPath, entry.name), depth: 0)
            return
        }
        do {
            try await destination.remove(entry.name, in: dst, kind: entry.kind) { relative, kind in
                reporter.deleted(path: DisplayPath.join(directoryPath, relative), kind: kind)
            }
        } catch {
            reporter.error("delete of \"\(dst.path(of: entry.name))\" failed: \(error)")
        }
    }

    /// `--delete -b` on a directory: every file inside is backed up, then the directory goes if
    /// it is empty (with a suffix-only backup the backups keep it).
    func deleteBackingUp(_ name: [UInt8], in dst: DirectoryRef, path: [UInt8]) async {
        do {
            if let dir = try await destination.openDirectory(name, in: dst) {
                for child in try await destination.entries(of: dir).sorted(by: { compareNames($0.name, $1.name) > 0 }) {
                    let childPath = DisplayPath.join(path, child.name)
                    if child.kind == .directory {
                        await deleteBackingUp(child.name, in: dir, path: childPath)
                    } else if await makeBackup(name: child.name, in: dir, directoryPath: path) != nil {
                        reporter.deleted(path: childPath, kind: child.kind)
                    }
                }
            }
            if let dir = try await destination.openDirectory(name, in: dst), try await destination.list(dir).next() == nil {
                try await destination.remove(name, in: dst, kind: .directory) { _, _ in }
                reporter.deleted(path: path, kind: .directory)
            }
        } catch {
            reporter.error("delete of \"\(dst.path(of: name))\" failed: \(error)")
        }
    }

    /// Deletes a directory tree except what receiver-side filter rules protect; a directory
    /// that keeps a protected file stays. Returns whether `name` itself was removed.
    func deleteProtectingFiltered(_ name: [UInt8], in dst: DirectoryRef, path: [UInt8], depth: Int) async -> Bool {
        var keptSomething = false
        do {
            if let dir = try await destination.openDirectory(name, in: dst) {
                for child in try await destination.entries(of: dir).sorted(by: { compareNames($0.name, $1.name) > 0 }) {
                    let childPath = DisplayPath.join(path, child.name)
                    if options.filters.protectsOnReceiver(childPath, isDirectory: child.kind == .directory) {
                        keptSomething = true
                        continue
                    }
                    if child.kind == .directory {
                        if await !deleteProtectingFiltered(child.name, in: dir, path: childPath, depth: depth + 1) { keptSomething = true }
                    } else {
                        try await destination.remove(child.name, in: dir, kind: child.kind) { _, kind in
                            reporter.deleted(path: childPath, kind: kind)
                        }
                    }
                }
            }
            if keptSomething {
                // rsync says so on stdout even without -v (a nested one twice, as it does).
                let line = "cannot delete non-empty directory: " + DisplayPath.escape(path)
                for _ in 0..<(depth > 0 ? 2 : 1) { reporter.notice(line) }
                return false
            }
            try await destination.remove(name, in: dst, kind: .directory) { _, _ in }
            reporter.deleted(path: path, kind: .directory)
            return true
        } catch {
            reporter.error("delete of \"\(dst.path(of: name))\" failed: \(error)")
            return false
        }
    }

    /// `-b`: moves the current destination file aside (`NAME~`, or into `--backup-dir`).
    /// Returns where it went (the basis for `--no-whole-file`), nil when that failed.
    @discardableResult
    func makeBackup(name: [UInt8], in dst: DirectoryRef, directoryPath: [UInt8]) async -> BasisFile? {
        do {
            let backup = try await backupLocation(for: name, in: dst, directoryPath: directoryPath)
            try await destination.rename(name, in: dst, to: backup.name, in: backup.directory)
            return BasisFile(name: backup.name, directory: backup.directory)
        } catch {
            reporter.error("backup of \"\(dst.path(of: name))\" failed: \(error)")
            return nil
        }
    }

    /// Where `-b` keeps the old version of `name` once its replacement is complete; `nil` (with
    /// the error reported) when the backup directory cannot be made.
    func backupName(for name: [UInt8], in dst: DirectoryRef, directoryPath: [UInt8]) async -> BackupName? {
        do {
            return try await backupLocation(for: name, in: dst, directoryPath: directoryPath)
        } catch {
            reporter.error("backup of \"\(dst.path(of: name))\" failed: \(error)")
            return nil
        }
    }

    /// The backup name of `name` in `dst` (its suffix, in `--backup-dir`'s mirror of `dst` or
    /// in `dst`), refused when it would be the file itself.
    private func backupLocation(for name: [UInt8], in dst: DirectoryRef, directoryPath: [UInt8]) async throws -> BackupName {
        let backup = BackupName(name: name + Array(options.effectiveBackupSuffix.utf8),
                                directory: try await backupTarget(in: dst, directoryPath: directoryPath))
        // "Backing up" onto the file itself (an empty suffix into the same directory) would
        // unlink or rename the only copy.
        if backup.name == name, try await destination.isSameDirectory(backup.directory, dst) {
            throw FileSystemError(operation: "backup (the backup name is the file itself)", path: dst.path(of: name), errno: EINVAL)
        }
        return backup
    }

    /// The directory a backup of a file in `dst` goes to: `--backup-dir`'s mirror of it, or `dst`.
    private func backupTarget(in dst: DirectoryRef, directoryPath: [UInt8]) async throws -> DirectoryRef {
        let (root, failure) = context.withLock { ($0.backupRoot, $0.backupRootFailure) }
        if let failure { throw failure }
        guard let root else { return dst }
        return try await backupDirectory(for: directoryPath, under: root)
    }

    /// `-b --inplace`: copies the current destination file to its backup name (the file itself
    /// is about to be rewritten in place), keeping its mode and times.
    func makeBackupCopy(of existing: FileEntry, name: [UInt8], in dst: DirectoryRef, directoryPath: [UInt8]) async -> BasisFile? {
        do {
            let backup = try await backupLocation(for: name, in: dst, directoryPath: directoryPath)
            let old = try await destination.openFile(name, in: dst, listed: existing)
            _ = try await destination.putFile(backup.name, in: backup.directory, from: old, attributes: { status in
                AttributeSet(permissions: status.permissions, mtime: status.mtime)
            }, options: WriteOptions())
            return BasisFile(name: backup.name, directory: backup.directory)
        } catch {
            reporter.error("backup of \"\(dst.path(of: name))\" failed: \(error)")
            return nil
        }
    }

    /// The directory in the backup tree that mirrors `relativePath`, created as needed.
    func backupDirectory(for relativePath: [UInt8], under root: DirectoryRef) async throws -> DirectoryRef {
        var current = root
        for component in relativePath.split(separator: UInt8(ascii: "/")) {
            let name = Array(component)
            if let next = try await destination.openDirectory(name, in: current) {
                current = next
                continue
            }
            do {
                try await destination.makeDirectory(name, in: current, permissions: 0o755)
            } catch let error as FileSystemError where error.errno == EEXIST {}
            guard let next = try await destination.openDirectory(name, in: current) else {
                throw FileSystemError(operation: "mkdir", path: current.path(of: name), errno: ENOENT)
            }
            current = next
        }
        return current
    }

    func removeSource(_ entry: FileEntry, in srcDir: DirectoryRef) async {
        do {
            try await source.remove(entry.name, in: srcDir, kind: entry.kind) { _, _ in }
        } catch {
            reporter.error("\(error)")
        }
    }
}
