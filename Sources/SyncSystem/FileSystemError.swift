#if canImport(Glibc)
import Glibc
#endif
import CSyncSystem

/// A failed system call on a file, with enough context for an rsync-style message.
///
/// `operation` uses rsync's vocabulary where one exists (`link_stat`, `open`, `mkdir`,
/// `rename`, `readlink_stat`...), so scripts that grep rsync's stderr keep working.
public struct FileSystemError: Error, CustomStringConvertible, Sendable, Equatable {
    public let operation: String
    public let path: String
    public let errno: Int32

    public init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    /// `true` when the file disappeared between listing and use (rsync's exit 24 case).
    public var isVanished: Bool { errno == ENOENT || errno == ENOTDIR }

    /// The errno ``FileSystem/openRegularFile(_:in:path:)`` reports for a name that is no longer a
    /// regular file (a FIFO, device or symlink swapped in): one no open of a file returns itself.
    public static let notRegularFileErrno = EMEDIUMTYPE

    /// `true` when a file listed as regular was something else by the time it was opened.
    public var isNotRegularFile: Bool { operation == "open" && errno == Self.notRegularFileErrno }

    /// `true` when the file shrank while it was read (rsync's "read errors mapping").
    public var isTornRead: Bool { errno == ENODATA }

    public var description: String {
        "\(operation) \"\(path)\" failed: \(reason)"
    }

    /// `Permission denied (13)`: the system's words and the number, as rsync prints them.
    public var reason: String { Self.reason(errno: errno) }

    /// The system's text for `errno` and the number, as rsync prints them: "No such file or directory (2)".
    public static func reason(errno: Int32) -> String { "\(String(cString: strerror(errno))) (\(errno))" }
}
