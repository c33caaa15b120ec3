#if canImport(Glibc)
import Glibc
#endif
import CSyncSystem
import Synchronization

/// The one thin typed layer over the file syscalls the engine uses.
///
/// Every call works relative to a directory descriptor (`openat` family), takes names as raw
/// bytes (file names need not be UTF-8), retries EINTR, and throws ``FileSystemError`` naming
/// the operation and a display path. Nothing else in SyncCore calls libc for files.
public enum FileSystem {
    /// `AT_FDCWD`, for paths relative to the working directory (or absolute ones).
    public static let currentDirectory: Int32 = AT_FDCWD

    @inline(__always)
    static func check(_ result: Int32, _ operation: String, _ path: @autoclosure () -> String) throws(FileSystemError) {
        if result == -1 { throw FileSystemError(operation: operation, path: path(), errno: errno) }
    }

    // MARK: Status

    /// `lstat` relative to `directory`.
    public static func linkStatus(_ name: [UInt8], in directory: Int32, path: @autoclosure () -> String) throws(FileSystemError) -> FileStatus {
        var st = stat()
        let r = withCPath(name) { p in retryingEINTR { fstatat(directory, p, &st, AT_SYMLINK_NOFOLLOW) } }
        try check(r, "link_stat", path())
        return FileStatus(st)
    }

    /// `stat` (following symlinks) relative to `directory`.
    public static func status(_ name: [UInt8], in directory: Int32, path: @autoclosure () -> String) throws(FileSystemError) -> FileStatus {
        var st = stat()
        let r = withCPath(name) { p in retryingEINTR { fstatat(directory, p, &st, 0) } }
        try check(r, "stat", path())
        return FileStatus(st)
    }

    /// `fstat` of an open descriptor.
    public static func status(of fd: Int32, path: @autoclosure () -> String) throws(FileSystemError) -> FileStatus {
        var st = stat()
        try check(retryingEINTR { fstat(fd, &st) }, "fstat", path())
        return FileStatus(st)
    }

    // MARK: Opening

    /// Opens a directory for listing and as an anchor for `*at` calls. Never follows a final symlink
    /// unless `followSymlink` is set (the transfer roots may be symlinks to directories).
    public static func openDirectory(_ name: [UInt8], in directory: Int32, followSymlink: Bool = false,
                                     path: @autoclosure () -> String) throws(FileSystemError) -> Int32 {
        let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (followSymlink ? 0 : O_NOFOLLOW)
        let fd = withCPath(name) { p in retryingEINTR { openat(directory, p, flags) } }
        try check(fd, "opendir", path())
        return fd
    }

    /// Opens a file for reading without following symlinks and without updating atime where allowed.
    public static func openForReading(_ name: [UInt8], in directory: Int32, path: @autoclosure () -> String) throws(FileSystemError) -> Int32 {
        var fd = withCPath(name) { p in retryingEINTR { openat(directory, p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | cs_open_flags_noatime()) } }
        if fd == -1 && errno == EPERM {
            // O_NOATIME is only allowed to the file's owner (or root).
            fd = withCPath(name) { p in retryingEINTR { openat(directory, p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) } }
        }
        try check(fd, "open", path())
        return fd
    }

    /// Opens `name` for reading only if it is a regular file, and returns its status from the
    /// open descriptor. `O_NONBLOCK` keeps a FIFO swapped in since the listing from blocking the
    /// open forever (it has no effect on regular files); a non-regular file throws with
    /// ``FileSystemError/isNotRegularFile``. Everything the caller then does with the file (size,
    /// contents, attributes) comes from this one descriptor, so it sees one version of it.
    /// `followSymlink` opens what a symlink points to (`-L`, asked for by name) instead.
    public static func openRegularFile(_ name: [UInt8], in directory: Int32, followSymlink: Bool = false,
                                       path: @autoclosure () -> String) throws(FileSystemError) -> (Int32, FileStatus) {
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | (followSymlink ? 0 : O_NOFOLLOW)
        var fd = withCPath(name) { p in retryingEINTR { openat(directory, p, flags | cs_open_flags_noatime()) } }
        if fd == -1 && errno == EPERM {
            fd = withCPath(name) { p in retryingEINTR { openat(directory, p, flags) } }
        }
        if fd == -1 && errno == ELOOP {
            // O_NOFOLLOW met a symlink swapped in since the listing.
            throw FileSystemError(operation: "open", path: path(), errno: FileSystemError.notRegularFileErrno)
        }
        try check(fd, "open", path())
        do throws(FileSystemError) {
            let status = try FileSystem.status(of: fd, path: path())
            guard status.kind == .regular else {
                throw FileSystemError(operation: "open", path: path(), errno: FileSystemError.notRegularFileErrno)
            }
            return (fd, status)
        } catch {
            close(fd)
            throw error
        }
    }

    /// Opens (or creates) a file for writing with the given flags.
    public static func open(_ name: [UInt8], in directory: Int32, flags: Int32, mode: UInt32 = 0o600,
                            path: @autoclosure () -> String) throws(FileSystemError) -> Int32 {
        let fd = withCPath(name) { p in retryingEINTR { openat(directory, p, flags | O_CLOEXEC, mode) } }
        try check(fd, "open", path())
        return fd
    }

    /// Creates an unnamed file in `directory` (`O_TMPFILE`), write-only unless `readable`; `nil`
    /// where the filesystem has no support.
    public static func openUnnamedTemporary(in directory: Int32, mode: UInt32, readable: Bool = false,
                                            path: @autoclosure () -> String) throws(FileSystemError) -> Int32? {
        let fd = retryingEINTR { cs_open_tmpfile(directory, (readable ? O_RDWR : O_WRONLY) | O_CLOEXEC, mode) }
        if fd == -1 {
            if errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL { return nil }
            try check(fd, "mkstemp", path())
        }
        return fd
    }

    /// Gives an `O_TMPFILE` file a name. Fails with EEXIST when the name is taken.
    public static func linkUnnamed(_ fd: Int32, as name: [UInt8], in directory: Int32, path: @autoclosure () -> String) throws(FileSystemError) {
        var r = withCPath(name) { p in retryingEINTR { cs_link_empty_path(fd, directory, p) } }
        if r == -1 && (errno == EPERM || errno == ENOENT) {
            // AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; /proc works for everyone.
            let proc = "/proc/self/fd/\(fd)"
            r = withCPath(name) { p in retryingEINTR { linkat(AT_FDCWD, proc, directory, p, AT_SYMLINK_FOLLOW) } }
        }
        try check(r, "link", path())
    }

    public static func close(_ fd: Int32) {
        // Linux closes the descriptor even when close reports EINTR: never retry.
        _ = Glibc.close(fd)
    }

    // MARK: Links and names

    /// The target of a symlink, as raw bytes.
    public static func readLink(_ name: [UInt8], in directory: Int32, sizeHint: Int = 256,
                                path: @autoclosure () -> String) throws(FileSystemError) -> [UInt8] {
        var capacity = max(64, sizeHint + 1)
        while true {
            var result = [UInt8](repeating: 0, count: capacity)
            let n = withCPath(name) { p in
                result.withUnsafeMutableBufferPointer { buf in
                    retryingEINTR { readlinkat(directory, p, UnsafeMutableRawPointer(buf.baseAddress!).assumingMemoryBound(to: CChar.self), capacity) }
                }
            }
            if n == -1 { throw FileSystemError(operation: "readlink", path: path(), errno: errno) }
            if n < capacity {
                result.removeSubrange(n...)
                return result
            }
            capacity *= 2
        }
    }

    public static func makeDirectory(_ name: [UInt8], in directory: Int32, mode: UInt32, path: @autoclosure () -> String) throws(FileSystemError) {
        try check(withCPath(name) { p in retryingEINTR { mkdirat(directory, p, mode) } }, "mkdir", path())
    }

    public static func makeSymlink(_ name: [UInt8], in directory: Int32, target: [UInt8], path: @autoclosure () -> String) throws(FileSystemError) {
        let r = withCPath(target) { t in withCPath(name) { p in retryingEINTR { symlinkat(t, directory, p) } } }
        try check(r, "symlink", path())
    }

    public static func makeHardLink(_ name: [UInt8], in directory: Int32, to existing: [UInt8], in existingDirectory: Int32,
                                    path: @autoclosure () -> String) throws(FileSystemError) {
        let r = withCPath(existing) { e in withCPath(name) { p in retryingEINTR { linkat(existingDirectory, e, directory, p, 0) } } }
        try check(r, "link", path())
    }

    public static func makeNode(_ name: [UInt8], in directory: Int32, mode: UInt32, device: UInt64, path: @autoclosure () -> String) throws(FileSystemError) {
        let r = withCPath(name) { p in retryingEINTR { mknodat(directory, p, mode, dev_t(device)) } }
        try check(r, "mknod", path())
    }

    /// Removes a file, symlink or empty directory.
    public static func remove(_ name: [UInt8], in directory: Int32, isDirectory: Bool, path: @autoclosure () -> String) throws(FileSystemError) {
        let r = withCPath(name) { p in retryingEINTR { unlinkat(directory, p, isDirectory ? AT_REMOVEDIR : 0) } }
        try check(r, isDirectory ? "rmdir" : "unlink", path())
    }

    /// `renameat`; with `noReplace`, fails with EEXIST instead of replacing.
    public static func rename(_ name: [UInt8], in directory: Int32, to newName: [UInt8], in newDirectory: Int32,
                              noReplace: Bool = false, path: @autoclosure () -> String) throws(FileSystemError) {
        let r = withCPath(name) { a in
            withCPath(newName) { b in
                retryingEINTR { cs_renameat2(directory, a, newDirectory, b, noReplace ? cs_rename_noreplace() : 0) }
            }
        }
        try check(r, "rename", path())
    }

    // MARK: Attributes

    /// Sets access and modification times; `nil` leaves that time as it is.
    public static func setTimes(_ name: [UInt8], in directory: Int32, access: FileTime?, modification: FileTime?,
                                followSymlink: Bool = false, path: @autoclosure () -> String) throws(FileSystemError) {
        var times = (access?.timespec ?? FileTime.omit, modification?.timespec ?? FileTime.omit)
        let r = withUnsafePointer(to: &times) { tp in
            tp.withMemoryRebound(to: timespec.self, capacity: 2) { ts in
                withCPath(name) { p in retryingEINTR { utimensat(directory, p, ts, followSymlink ? 0 : AT_SYMLINK_NOFOLLOW) } }
            }
        }
        try check(r, "set times", path())
    }

    /// `futimens`: times of an open file.
    public static func setTimes(of fd: Int32, access: FileTime?, modification: FileTime?, path: @autoclosure () -> String) throws(FileSystemError) {
        var times = (access?.timespec ?? FileTime.omit, modification?.timespec ?? FileTime.omit)
        let r = withUnsafePointer(to: &times) { tp in
            tp.withMemoryRebound(to: timespec.self, capacity: 2) { ts in retryingEINTR { futimens(fd, ts) } }
        }
        try check(r, "set times", path())
    }

    public static func setPermissions(_ name: [UInt8], in directory: Int32, _ mode: UInt32, path: @autoclosure () -> String) throws(FileSystemError) {
        try check(withCPath(name) { p in retryingEINTR { fchmodat(directory, p, mode, 0) } }, "chmod", path())
    }

    public static func setPermissions(of fd: Int32, _ mode: UInt32, path: @autoclosure () -> String) throws(FileSystemError) {
        try check(retryingEINTR { fchmod(fd, mode) }, "chmod", path())
    }

    /// `lchown`-style ownership change; `nil` leaves that id alone.
    public static func setOwner(_ name: [UInt8], in directory: Int32, uid: UInt32?, gid: UInt32?, path: @autoclosure () -> String) throws(FileSystemError) {
        let u = uid.map { uid_t($0) } ?? uid_t.max
        let g = gid.map { gid_t($0) } ?? gid_t.max
        try check(withCPath(name) { p in retryingEINTR { fchownat(directory, p, u, g, AT_SYMLINK_NOFOLLOW) } }, "chown", path())
    }

    public static func setOwner(of fd: Int32, uid: UInt32?, gid: UInt32?, path: @autoclosure () -> String) throws(FileSystemError) {
        let u = uid.map { uid_t($0) } ?? uid_t.max
        let g = gid.map { gid_t($0) } ?? gid_t.max
        try check(retryingEINTR { fchown(fd, u, g) }, "chown", path())
    }

    /// Moves the descriptor's position back to the start (a copy read or written a second time).
    public static func rewind(_ fd: Int32, path: @autoclosure () -> String) throws(FileSystemError) {
        if lseek(fd, 0, SEEK_SET) == -1 { throw FileSystemError(operation: "lseek", path: path(), errno: errno) }
    }

    public static func truncate(_ fd: Int32, to size: Int64, path: @autoclosure () -> String) throws(FileSystemError) {
        try check(retryingEINTR { ftruncate(fd, off_t(size)) }, "ftruncate", path())
    }

    // MARK: Process state

    private static let umaskValue = Atomic<UInt32>(UInt32.max)

    /// Sets the process umask and remembers it; returns the previous one.
    @discardableResult
    public static func setUmask(_ mask: UInt32) -> UInt32 {
        let old = UInt32(umask(mode_t(mask)))
        umaskValue.store(mask, ordering: .relaxed)
        return old
    }

    /// The umask last set through ``setUmask(_:)`` (`UInt32.max` if never).
    public static var currentUmask: UInt32 { umaskValue.load(ordering: .relaxed) }

    /// Raises the open-file limit to the hard limit: each directory in flight holds descriptors.
    public static func raiseOpenFileLimit() {
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }
}
