#if canImport(Glibc)
import Glibc
#endif
import CSyncSystem

extension FileSystem {
    /// Runs `body` with the directory holding the last component of `relativePath` (a path of
    /// several components inside `root`) and that component's name. The directory is reached
    /// without following any symlink and without leaving `root` (openat2's RESOLVE_BENEATH and
    /// RESOLVE_NO_SYMLINKS), so a symlink swapped into the tree can never send a link, a stat
    /// or a read outside it: such a path fails with ELOOP (or EXDEV), as rsync 3.5 refuses it.
    public static func withParent<T>(of relativePath: [UInt8], beneath root: Int32, path: @autoclosure () -> String,
                                     _ body: (_ directory: Int32, _ name: [UInt8]) throws(FileSystemError) -> T) throws(FileSystemError) -> T {
        var trimmed = relativePath
        while trimmed.count > 1, trimmed.last == UInt8(ascii: "/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: UInt8(ascii: "/")) else { return try body(root, trimmed) }
        let parent = Array(trimmed[..<slash]), name = Array(trimmed[(slash + 1)...])
        let fd = withCPath(parent) { p in retryingEINTR { cs_open_beneath(root, p, cs_o_path() | O_DIRECTORY) } }
        try check(fd, "opendir", path())
        defer { close(fd) }
        return try body(fd, name)
    }

    /// `lstat` of `relativePath` inside `root`, reached as ``withParent(of:beneath:path:_:)`` says.
    public static func linkStatus(beneath root: Int32, _ relativePath: [UInt8], path: @autoclosure () -> String) throws(FileSystemError) -> FileStatus {
        try withParent(of: relativePath, beneath: root, path: path()) { (dir, name) throws(FileSystemError) in
            try linkStatus(name, in: dir, path: path())
        }
    }
}
