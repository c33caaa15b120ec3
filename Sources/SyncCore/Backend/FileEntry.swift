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

/// Byte-wise ordering of names, the order listings are merged in.
@inlinable
public func compareNames(_ a: [UInt8], _ b: [UInt8]) -> Int {
    let n = min(a.count, b.count)
    let r = n == 0 ? 0 : a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in memcmp(pa.baseAddress!, pb.baseAddress!, n) }
    }
    if r != 0 || a.count == b.count { return Int(r) }
    return a.count < b.count ? -1 : 1
}

#if canImport(Glibc)
import Glibc
#endif
