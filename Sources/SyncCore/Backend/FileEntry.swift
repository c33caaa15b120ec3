import SyncSystem
/// One name in a directory listing, with its status and (for symlinks) its target.
public struct FileEntry: Sendable, Equatable {
    public var name: [UInt8]
    public var status: FileStatus
    public var linkTarget: [UInt8]?
    /// An object store's checksum of the contents (S3's ETag, quoted as S3 gives it); nil for
    /// a local file.
    public var etag: String?
    /// The status is that of what a symlink of this name points to (`-L`): the file is opened
    /// by following it, as it was found.
    public var followsSymlink = false

    public init(name: [UInt8], status: FileStatus, linkTarget: [UInt8]? = nil, etag: String? = nil) {
        self.name = name
        self.status = status
        self.linkTarget = linkTarget
        self.etag = etag
    }

    public var kind: FileKind { status.kind }
}


#if canImport(Glibc)
import Glibc
#endif
