#if canImport(Glibc)
import Glibc
#endif

/// Small files read or written whole, by path: configuration files (`/etc/fstab`,
/// `mdadm.conf`, cron files) and kernel tables (`/proc/self/mountinfo`, `/sys/class/block/…`),
/// whose `st_size` is often 0, so they are read to EOF rather than by size.
extension FileSystem {
    /// The whole content of the file at `path` (at most `limit` bytes, else EFBIG).
    public static func readWholeFile(_ path: String, limit: Int = 16 << 20) throws(FileSystemError) -> [UInt8] {
        let fd = try openForReadingFollowingLinks(path)
        defer { close(fd) }
        return try readToEnd(fd, limit: limit, path: path)
    }

    /// Everything `fd` has left to read (a pipe, stdin, a kernel table), at most `limit` bytes, else EFBIG.
    public static func readToEnd(_ fd: Int32, limit: Int = 16 << 20, path: @autoclosure () -> String) throws(FileSystemError) -> [UInt8] {
        var bytes: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            let n = try readFully(fd, into: chunk, path: path())
            bytes += chunk[..<n]
            if bytes.count > limit { throw FileSystemError(operation: "read", path: path(), errno: EFBIG) }
            if n < chunk.count { return bytes }
        }
    }

    /// The file's text, or nil when it does not exist.
    public static func readTextIfPresent(_ path: String) throws(FileSystemError) -> String? {
        do {
            return String(decoding: try readWholeFile(path), as: UTF8.self)
        } catch where error.errno == ENOENT {
            return nil
        }
    }

    /// Replaces (or creates) `path` with `contents` so that no reader and no crash sees it half
    /// written: a temp file in the same directory, written, given `mode`, fsynced, then renamed
    /// over the target.
    public static func replaceFile(_ path: String, contents: [UInt8], mode: UInt32) throws(FileSystemError) {
        let (directory, name) = split(path)
        let temporary = directory + "/." + name + ".swiftsync-\(getpid())"
        let fd = try open(Array(temporary.utf8), in: currentDirectory, flags: O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode: mode,
                          path: temporary)
        do throws(FileSystemError) {
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(contents.count, 1), alignment: 1)
            defer { copy.deallocate() }
            copy.copyBytes(from: contents)
            try writeAll(fd, UnsafeRawBufferPointer(rebasing: copy[..<contents.count]), path: temporary)
            try setPermissions(of: fd, mode, path: temporary)
            try check(retryingEINTR { fsync(fd) }, "fsync", temporary)
            close(fd)
            try rename(Array(temporary.utf8), in: currentDirectory, to: Array(path.utf8), in: currentDirectory, path: path)
        } catch {
            close(fd)
            _ = unlink(temporary)
            throw error
        }
    }

    /// Removes the file at `path`; false when there was none.
    @discardableResult
    public static func removeFile(_ path: String) throws(FileSystemError) -> Bool {
        do {
            try remove(Array(path.utf8), in: currentDirectory, isDirectory: false, path: path)
            return true
        } catch where error.errno == ENOENT {
            return false
        }
    }

    /// `mkdir -p`: creates `path` and any missing parents.
    public static func makeDirectories(_ path: String, mode: UInt32) throws(FileSystemError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            do {
                try makeDirectory(Array(prefix.utf8), in: currentDirectory, mode: mode, path: prefix)
            } catch where error.errno == EEXIST {
                guard try status(Array(prefix.utf8), in: currentDirectory, path: prefix).kind == .directory else {
                    throw FileSystemError(operation: "mkdir", path: prefix, errno: ENOTDIR)
                }
            }
        }
    }

    /// The names in the directory at `path`, sorted bytewise (empty when it does not exist).
    public static func directoryNames(_ path: String) throws(FileSystemError) -> [[UInt8]] {
        let fd: Int32
        do {
            fd = try openDirectory(Array(path.utf8), in: currentDirectory, followSymlink: true, path: path)
        } catch where error.errno == ENOENT {
            return []
        }
        defer { close(fd) }
        return try readDirectoryNames(fd, rewind: false, path: path).sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// `stat` by path (following symlinks); nil when nothing is there.
    public static func statusIfPresent(_ path: String) throws(FileSystemError) -> FileStatus? {
        do {
            return try status(Array(path.utf8), in: currentDirectory, path: path)
        } catch where error.errno == ENOENT || error.errno == ENOTDIR {
            return nil
        }
    }

    /// Whether a block device can be opened exclusively: the kernel refuses (EBUSY) while it is
    /// mounted, part of an md array or device-mapper target, or used as swap.
    public static func isBlockDeviceBusy(_ path: String) throws(FileSystemError) -> Bool {
        let fd = retryingEINTR { Glibc.open(path, O_RDONLY | O_EXCL | O_CLOEXEC) }
        if fd == -1 {
            if errno == EBUSY { return true }
            throw FileSystemError(operation: "open", path: path, errno: errno)
        }
        close(fd)
        return false
    }

    /// `ioctl(fd, request, argument)`: for the few device queries that have no other interface
    /// (the NVMe identify data that names an EBS volume's attachment device).
    public static func deviceControl(_ fd: Int32, request: UInt, argument: UnsafeMutableRawPointer, operation: String,
                                     path: @autoclosure () -> String) throws(FileSystemError) {
        try check(retryingEINTR { ioctl(fd, request, argument) }, operation, path())
    }

    /// Opens `path` read-only, following symlinks (device nodes, `/proc` and `/sys` entries).
    public static func openForReadingFollowingLinks(_ path: String) throws(FileSystemError) -> Int32 {
        let fd = retryingEINTR { Glibc.open(path, O_RDONLY | O_CLOEXEC) }
        try check(fd, "open", path)
        return fd
    }

    /// `(directory, last component)` of a path; the directory is "." for a bare name.
    static func split(_ path: String) -> (String, String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}
