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

    public var description: String {
        "\(operation) \"\(path)\" failed: \(reason)"
    }

    /// `Permission denied (13)`: the system's words and the number, as rsync prints them.
    public var reason: String { "\(String(cString: strerror(errno))) (\(errno))" }
}
