import SyncSystem
/// One name in a directory listing, with its status and (for symlinks) its target.
public struct FileEntry: Sendable, Equatable {
    public var name: [UInt8]
    public var status: FileStatus
    /// What few entries carry, kept out of line so that an entry is 120 bytes: the walk copies
    /// entries tens of times per file (into async frames), and at 145 bytes, past what the
    /// compiler copies inline, each copy was a call to memmove — 760,000 of them in a
    /// 20,000-file no-op, a tenth of its CPU time (perf, 2026-12-08).
    private var extras: Extras?

    public init(name: [UInt8], status: FileStatus, linkTarget: [UInt8]? = nil, etag: String? = nil) {
        self.name = name
        self.status = status
        self.extras = Extras.make(linkTarget: linkTarget, etag: etag, followsSymlink: false)
    }

    public var kind: FileKind { status.kind }

    /// A symlink's target.
    public var linkTarget: [UInt8]? {
        get { extras?.linkTarget }
        set { extras = Extras.make(linkTarget: newValue, etag: etag, followsSymlink: followsSymlink) }
    }

    /// An object store's checksum of the contents (S3's ETag, quoted as S3 gives it); nil for
    /// a local file.
    public var etag: String? {
        get { extras?.etag }
        set { extras = Extras.make(linkTarget: linkTarget, etag: newValue, followsSymlink: followsSymlink) }
    }

    /// The status is that of what a symlink of this name points to (`-L`): the file is opened
    /// by following it, as it was found.
    public var followsSymlink: Bool {
        get { extras?.followsSymlink ?? false }
        set { extras = Extras.make(linkTarget: linkTarget, etag: etag, followsSymlink: newValue) }
    }

    public static func == (a: FileEntry, b: FileEntry) -> Bool {
        a.name == b.name && a.status == b.status && a.linkTarget == b.linkTarget && a.etag == b.etag
            && a.followsSymlink == b.followsSymlink
    }

    /// Immutable, so entries share it freely; a change makes a new one.
    private final class Extras: Sendable {
        let linkTarget: [UInt8]?
        let etag: String?
        let followsSymlink: Bool

        private init(linkTarget: [UInt8]?, etag: String?, followsSymlink: Bool) {
            self.linkTarget = linkTarget
            self.etag = etag
            self.followsSymlink = followsSymlink
        }

        static func make(linkTarget: [UInt8]?, etag: String?, followsSymlink: Bool) -> Extras? {
            if linkTarget == nil && etag == nil && !followsSymlink { return nil }
            return Extras(linkTarget: linkTarget, etag: etag, followsSymlink: followsSymlink)
        }
    }
}
