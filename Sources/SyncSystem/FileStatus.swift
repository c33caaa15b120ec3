#if canImport(Glibc)
import Glibc
#endif
import CSyncSystem

/// The kind of a directory entry, as rsync distinguishes them.
public enum FileKind: UInt8, Sendable {
    case regular, directory, symlink, blockDevice, characterDevice, fifo, socket

    init(mode: UInt32) {
        switch mode & S_IFMT {
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symlink
        case S_IFBLK: self = .blockDevice
        case S_IFCHR: self = .characterDevice
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        default: self = .regular
        }
    }

    /// The letter rsync's `-i` output uses in the second column.
    public var itemizeLetter: Character {
        switch self {
        case .regular: "f"
        case .directory: "d"
        case .symlink: "L"
        case .blockDevice, .characterDevice: "D"
        case .fifo, .socket: "S"
        }
    }

    public var isDevice: Bool { self == .blockDevice || self == .characterDevice }
    public var isSpecial: Bool { self == .fifo || self == .socket }
}

/// What `lstat` says of a file, reduced to what a sync needs.
public struct FileStatus: Sendable, Equatable {
    public var kind: FileKind
    /// Permission bits including setuid/setgid/sticky (no file type bits).
    public var permissions: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var size: Int64
    public var mtime: FileTime
    public var atime: FileTime
    /// When the inode last changed (contents or attributes); nothing can set it back.
    public var changeTime: FileTime
    public var device: UInt64
    public var inode: UInt64
    public var linkCount: UInt64
    public var rdev: UInt64
    public var blocks: Int64

    public init(kind: FileKind, permissions: UInt32, uid: UInt32 = 0, gid: UInt32 = 0, size: Int64 = 0,
                mtime: FileTime = FileTime(seconds: 0), atime: FileTime = FileTime(seconds: 0), changeTime: FileTime = FileTime(seconds: 0),
                device: UInt64 = 0, inode: UInt64 = 0, linkCount: UInt64 = 1, rdev: UInt64 = 0, blocks: Int64 = 0) {
        self.kind = kind
        self.permissions = permissions
        self.uid = uid
        self.gid = gid
        self.size = size
        self.mtime = mtime
        self.atime = atime
        self.changeTime = changeTime
        self.device = device
        self.inode = inode
        self.linkCount = linkCount
        self.rdev = rdev
        self.blocks = blocks
    }

    init(_ st: stat) {
        self.kind = FileKind(mode: st.st_mode)
        self.permissions = st.st_mode & 0o7777
        self.uid = st.st_uid
        self.gid = st.st_gid
        self.size = Int64(st.st_size)
        self.mtime = FileTime(seconds: Int64(st.st_mtim.tv_sec), nanoseconds: Int32(st.st_mtim.tv_nsec))
        self.atime = FileTime(seconds: Int64(st.st_atim.tv_sec), nanoseconds: Int32(st.st_atim.tv_nsec))
        self.changeTime = FileTime(seconds: Int64(st.st_ctim.tv_sec), nanoseconds: Int32(st.st_ctim.tv_nsec))
        self.device = UInt64(st.st_dev)
        self.inode = UInt64(st.st_ino)
        self.linkCount = UInt64(st.st_nlink)
        self.rdev = UInt64(st.st_rdev)
        self.blocks = Int64(st.st_blocks)
    }

    /// The `st_mode` value (type bits plus permissions) for `mknod` and friends.
    public var modeWithType: UInt32 {
        let type: UInt32
        switch kind {
        case .regular: type = S_IFREG
        case .directory: type = S_IFDIR
        case .symlink: type = S_IFLNK
        case .blockDevice: type = S_IFBLK
        case .characterDevice: type = S_IFCHR
        case .fifo: type = S_IFIFO
        case .socket: type = S_IFSOCK
        }
        return type | permissions
    }
}
