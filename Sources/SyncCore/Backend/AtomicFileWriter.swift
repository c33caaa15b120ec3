#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// Writes a new version of a file so that no reader, and no crash, ever sees it half written.
///
/// Preferred: an unnamed `O_TMPFILE` inode that gets its name only when complete (a `kill -9`
/// leaves nothing behind). Where the name is taken, or the filesystem lacks `O_TMPFILE`, a
/// dot-prefixed temp name in the same directory is renamed over the target, as rsync does.
public struct AtomicFileWriter {
    let name: [UInt8]
    let directory: LocalDirectory
    let options: WriteOptions
    public private(set) var descriptor: Int32
    /// The temp name, when the file has one before commit.
    private var temporaryName: [UInt8]?
    private var unnamed: Bool

    /// `creationMode`: the permission bits the file is created with (the engine runs with umask 0,
    /// so a file that needs no set-id bits needs no separate chmod).
    public init(name: [UInt8], in directory: LocalDirectory, options: WriteOptions, creationMode: UInt32 = 0o600) throws(FileSystemError) {
        self.name = name
        self.directory = directory
        self.options = options
        if options.inPlace {
            descriptor = try FileSystem.open(name, in: directory.descriptor, flags: O_WRONLY | O_CREAT | O_NOFOLLOW, mode: creationMode,
                                             path: directory.path(of: name))
            unnamed = false
            return
        }
        if let fd = try FileSystem.openUnnamedTemporary(in: directory.descriptor, mode: creationMode, path: directory.path(of: name)) {
            descriptor = fd
            unnamed = true
            return
        }
        unnamed = false
        (descriptor, temporaryName) = try Self.createNamedTemporary(for: name, in: directory, mode: creationMode)
    }

    /// `.NAME.XXXXXX` in the target's directory, created exclusively.
    static func createNamedTemporary(for name: [UInt8], in directory: LocalDirectory, mode: UInt32 = 0o600) throws(FileSystemError) -> (Int32, [UInt8]) {
        var attempt = 0
        while true {
            let temp = temporaryName(for: name)
            do {
                let fd = try FileSystem.open(temp, in: directory.descriptor, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW,
                                             mode: mode, path: directory.path(of: temp))
                return (fd, temp)
            } catch where error.errno == EEXIST && attempt < 100 {
                attempt += 1
            }
        }
    }

    /// Owner first (chown clears set-id bits), then mode, then times. The mode is skipped when
    /// the file was created with it and nothing could have changed it since.
    public func apply(_ a: AttributeSet, createdWith creationMode: UInt32? = nil) throws(FileSystemError) {
        // The path is made only for a message (building it per file was measurable).
        let display = { directory.path(of: name) }
        if a.uid != nil || a.gid != nil { try FileSystem.setOwner(of: descriptor, uid: a.uid, gid: a.gid, path: display()) }
        if let mode = a.permissions, mode != creationMode || mode & 0o7000 != 0 || options.inPlace {
            try FileSystem.setPermissions(of: descriptor, mode, path: display())
        }
        if a.mtime != nil || a.atime != nil {
            try FileSystem.setTimes(of: descriptor, access: a.atime, modification: a.mtime, path: display())
        }
    }

    /// Makes the new contents visible under `name` (or `target` in `targetDirectory`).
    public mutating func commit(as target: [UInt8]? = nil, in targetDirectory: LocalDirectory? = nil) throws(FileSystemError) {
        let finalName = target ?? name
        let finalDirectory = targetDirectory ?? directory
        let display = { finalDirectory.path(of: finalName) }
        defer { FileSystem.close(descriptor); descriptor = -1 }
        if options.inPlace && target == nil { return }
        if let backup = options.backup, target == nil {
            // Only now, with the new version whole, does the old one get its backup name; the
            // rename below then replaces the name in one step, so it never goes missing.
            try Self.keepOldVersion(of: name, in: directory, as: backup)
        }
        if unnamed {
            do {
                try FileSystem.linkUnnamed(descriptor, as: finalName, in: finalDirectory.descriptor, path: display())
                return
            } catch where error.errno == EEXIST {
                // The target exists: give the file a temp name, then rename over the target.
                var attempt = 0
                while true {
                    let temp = Self.temporaryName(for: finalName)
                    do {
                        try FileSystem.linkUnnamed(descriptor, as: temp, in: finalDirectory.descriptor, path: display())
                        temporaryName = temp
                        break
                    } catch where error.errno == EEXIST && attempt < 100 {
                        attempt += 1
                    }
                }
            }
        }
        guard let temp = temporaryName else { return }
        do {
            try FileSystem.rename(temp, in: finalDirectory.descriptor, to: finalName, in: finalDirectory.descriptor, path: display())
            temporaryName = nil
        } catch {
            _ = try? FileSystem.remove(temp, in: finalDirectory.descriptor, isDirectory: false, path: display())
            temporaryName = nil
            throw error
        }
    }

    /// Gives the file now at `name` the backup name too: a hard link, or a copy where the backup
    /// directory cannot hold a link. A file that is gone already needs no backup.
    ///
    /// An older backup is unlinked first and the link made again, never linked under a temp name
    /// and renamed over it: a kill then leaves no temp file behind, and when the older backup is
    /// already this very inode (a run that stopped between its backup and its rename) a rename
    /// would do nothing and leave the temp name (rename(2) of one hard link over another). Until
    /// the link is made the old version is still at `name`, so nothing is ever lost.
    static func keepOldVersion(of name: [UInt8], in directory: LocalDirectory, as backupName: BackupName) throws(FileSystemError) {
        let backup = (name: backupName.name, directory: try LocalBackend.local(backupName.directory))
        let display = backup.directory.path(of: backup.name)
        try checkDistinct(backup.name, in: backup.directory, from: name, in: directory)
        var attempt = 0
        while true {
            do throws(FileSystemError) {
                try FileSystem.makeHardLink(backup.name, in: backup.directory.descriptor, to: name, in: directory.descriptor, path: display)
                return
            } catch where error.errno == EEXIST && attempt < 100 {
                attempt += 1
                do throws(FileSystemError) {
                    try FileSystem.remove(backup.name, in: backup.directory.descriptor, isDirectory: false, path: display)
                } catch where error.errno == ENOENT {
                    // Removed by someone else meanwhile: link again.
                }
            } catch where error.errno == ENOENT {
                return
            } catch where [EXDEV, EPERM, EMLINK, EOPNOTSUPP].contains(error.errno) {
                try copyOldVersion(of: name, in: directory, as: backup)
                return
            }
        }
    }

    /// The backup as a whole copy with the old file's mode and times (another filesystem, or
    /// one without hard links).
    /// Refuses (EINVAL) a backup name that is `name` itself in its own directory (an empty
    /// suffix with a `--backup-dir` that is the destination directory): "backing up" would then
    /// unlink or rename the only copy onto itself.
    static func checkDistinct(_ backupName: [UInt8], in backupDirectory: LocalDirectory, from name: [UInt8],
                              in directory: LocalDirectory) throws(FileSystemError) {
        guard backupName == name else { return }
        let here = try FileSystem.status(of: directory.descriptor, path: directory.displayPath)
        let there = try FileSystem.status(of: backupDirectory.descriptor, path: backupDirectory.displayPath)
        if here.device == there.device && here.inode == there.inode {
            throw FileSystemError(operation: "backup (the backup name is the file itself)", path: directory.path(of: name), errno: EINVAL)
        }
    }

    private static func copyOldVersion(of name: [UInt8], in directory: LocalDirectory,
                                       as backup: (name: [UInt8], directory: LocalDirectory)) throws(FileSystemError) {
        let display = directory.path(of: name)
        let old: Int32
        do {
            old = try FileSystem.openForReading(name, in: directory.descriptor, path: display)
        } catch where error.errno == ENOENT {
            return
        }
        defer { FileSystem.close(old) }
        let status = try FileSystem.status(of: old, path: display)
        var writer = try AtomicFileWriter(name: backup.name, in: backup.directory, options: WriteOptions(), creationMode: status.permissions & 0o777)
        do throws(FileSystemError) {
            _ = try FileSystem.copyContents(from: old, to: writer.descriptor, sizeHint: status.size, path: display)
            var attributes = AttributeSet()
            attributes.permissions = status.permissions
            attributes.mtime = status.mtime
            try writer.apply(attributes, createdWith: status.permissions & 0o777)
            try writer.commit()
        } catch {
            writer.abandon(interrupted: false)
            throw error
        }
    }

    static func temporaryName(for name: [UInt8]) -> [UInt8] {
        let base = name.count > 240 ? Array(name.prefix(240)) : name
        var temp: [UInt8] = [UInt8(ascii: ".")] + base + [UInt8(ascii: ".")]
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        var random = UInt64.random(in: 0...UInt64.max)
        for _ in 0..<6 {
            temp.append(alphabet[Int(random % UInt64(alphabet.count))])
            random /= UInt64(alphabet.count)
        }
        return temp
    }

    /// Discards the new contents; with `--partial` and an interruption, keeps them instead.
    public mutating func abandon(interrupted: Bool) {
        guard descriptor >= 0 else { return }
        if interrupted && options.keepPartial && !options.inPlace {
            if let dir = options.partialDirectory {
                _ = try? FileSystem.makeDirectory(dir, in: directory.descriptor, mode: 0o700, path: "")
                if let partialFD = try? FileSystem.openDirectory(dir, in: directory.descriptor, path: "") {
                    let partial = LocalDirectory(descriptor: partialFD, displayPath: directory.path(of: dir))
                    if (try? commit(as: name, in: partial)) != nil { return }
                }
            } else if (try? commit()) != nil {
                return
            }
        }
        if let temp = temporaryName {
            _ = try? FileSystem.remove(temp, in: directory.descriptor, isDirectory: false, path: "")
            temporaryName = nil
        }
        if descriptor >= 0 { FileSystem.close(descriptor); descriptor = -1 }
    }
}
