#if canImport(Glibc)
import Glibc
#endif

extension FileSystem {
    /// Takes an exclusive `flock` on an open file without waiting. Returns `false` when another
    /// open file description holds it (EWOULDBLOCK); any other failure throws.
    public static func tryLockExclusive(_ fd: Int32, path: @autoclosure () -> String) throws(FileSystemError) -> Bool {
        let r = retryingEINTR { flock(fd, LOCK_EX | LOCK_NB) }
        if r == -1 && (errno == EWOULDBLOCK || errno == EAGAIN) { return false }
        try check(r, "flock", path())
        return true
    }

    /// `fsync`: the file's data and metadata (or a directory's entries) reach the disk.
    public static func synchronize(_ fd: Int32, path: @autoclosure () -> String) throws(FileSystemError) {
        try check(retryingEINTR { fsync(fd) }, "fsync", path())
    }
}
