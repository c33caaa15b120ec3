import SyncSystem

/// A directory of a backend, held while the engine works inside it: the anchor for every call
/// about the names in it.
///
/// The engine only hands it back to the backend that made it. Each backend subclasses it with
/// what it needs to reach the directory again without a path lookup: the local backend an open
/// descriptor (so nothing is ever resolved through a symlink swapped in later), S3 a key prefix.
open class DirectoryRef: @unchecked Sendable {
    /// The path as the user would write it, for messages.
    public let displayPath: String

    public init(displayPath: String) {
        self.displayPath = displayPath
    }

    /// False for a directory a dry run only pretends to have made: it holds nothing, and
    /// nothing can be opened inside it.
    open var exists: Bool { true }

    /// The display path of `name` inside this directory.
    public func path(of name: [UInt8]) -> String {
        let escaped = DisplayPath.escape(name)
        if displayPath.isEmpty || displayPath == "." { return escaped }
        return displayPath.hasSuffix("/") ? displayPath + escaped : displayPath + "/" + escaped
    }
}

/// What a backend can do beyond listing, reading and writing whole files: declared, so the
/// engine chooses by capability (and refuses an option by name up front) instead of asking
/// which backend it has.
public struct BackendCapabilities: Sendable, OptionSet {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Owner, group and permission bits are kept per file and can be set (`-p`, `-o`, `-g`).
    public static let posixAttributes = BackendCapabilities(rawValue: 1 << 0)
    /// Several names can share one file (`-H`, `--link-dest`).
    public static let hardLinks = BackendCapabilities(rawValue: 1 << 1)
    public static let symlinks = BackendCapabilities(rawValue: 1 << 2)
    /// Devices, FIFOs and sockets.
    public static let specialFiles = BackendCapabilities(rawValue: 1 << 3)
    /// Part of an existing file can be rewritten (`--inplace`, `--no-whole-file`, `--partial-dir`).
    public static let inPlaceWrites = BackendCapabilities(rawValue: 1 << 4)
    /// Files can be copied by the kernel from a local descriptor (`copy_file_range`).
    public static let kernelCopy = BackendCapabilities(rawValue: 1 << 5)
    /// A modification time given to a file is what a later listing shows (so the quick check
    /// can compare the two sides' mtimes). An S3 object's time is when it was written.
    public static let settableTimes = BackendCapabilities(rawValue: 1 << 6)
    /// Directories exist by themselves (with attributes), not only as the prefix of names below.
    public static let directories = BackendCapabilities(rawValue: 1 << 7)
    /// A file can be copied within the store without its bytes passing through here.
    public static let serverSideCopy = BackendCapabilities(rawValue: 1 << 8)
    /// A file and a directory can have the same name at once (S3: an object `d` and keys `d/…`).
    public static let fileAndDirectoryOfOneName = BackendCapabilities(rawValue: 1 << 9)
    /// Directories are kept as markers (boto-rsync's empty `dir/` keys): made, and itemized.
    public static let directoryMarkers = BackendCapabilities(rawValue: 1 << 12)
    /// The store is reached over a network (itemized lines say "sent" for what goes there).
    public static let remote = BackendCapabilities(rawValue: 1 << 11)
    /// Listings come from one stream in key order (a directory sorting as its name plus "/"):
    /// the engine walks such a tree in that order, one directory at a time, so that the stream
    /// is read once and only the directories in flight are held.
    public static let streamedListing = BackendCapabilities(rawValue: 1 << 10)
}

/// Which attributes to put on a file, each `nil` when it is not to be touched.
public struct AttributeSet: Sendable, Equatable {
    public var permissions: UInt32?
    public var uid: UInt32?
    public var gid: UInt32?
    public var mtime: FileTime?
    public var atime: FileTime?

    public init(permissions: UInt32? = nil, uid: UInt32? = nil, gid: UInt32? = nil, mtime: FileTime? = nil, atime: FileTime? = nil) {
        self.permissions = permissions
        self.uid = uid
        self.gid = gid
        self.mtime = mtime
        self.atime = atime
    }

    public var isEmpty: Bool { permissions == nil && uid == nil && gid == nil && mtime == nil && atime == nil }
}

/// How a new regular file's bytes are written.
public struct WriteOptions: Sendable {
    /// Keep holes of the source as holes (`-S`).
    public var sparse = false
    /// Write straight into the existing file instead of a temp file and rename (`--inplace`).
    public var inPlace = false
    /// On interruption keep what was written (`--partial`), at this directory if set.
    public var keepPartial = false
    public var partialDirectory: [UInt8]?
    /// `-b`: where the old version goes, kept only once the new one is complete.
    public var backup: BackupName?
    public init() {}
}

/// The name a replaced file's old version is kept under (`-b`, `--backup-dir`, `--suffix`).
public struct BackupName: Sendable {
    public var name: [UInt8]
    public var directory: DirectoryRef

    public init(name: [UInt8], directory: DirectoryRef) {
        self.name = name
        self.directory = directory
    }
}

/// Where the old version of a file is when it is not at the file's own name (`-b`: the backup).
public struct BasisFile: Sendable {
    public let name: [UInt8]
    public let directory: DirectoryRef

    public init(name: [UInt8], directory: DirectoryRef) {
        self.name = name
        self.directory = directory
    }
}

/// The attributes a new file gets, decided once the version being copied is known: a remote
/// source's mode and mtime arrive with its bytes.
public typealias AttributesForVersion = @Sendable (FileStatus) -> AttributeSet

/// The interface the engine drives, on rclone's model: entries, not descriptors. List a
/// directory, look up an entry, open a file for reading, put a file from a reader, and the
/// atomic ways to change a tree. A backend makes every write atomic its own way (a temp file
/// renamed locally, PutObject or a completed multipart upload on S3).
///
/// Cross-cutting behaviour (dry-run, rate limits, progress) wraps a backend or a
/// ``FileSource``; the engine never asks which backend it has, only what it can do
/// (``capabilities``). Errors are ``FileSystemError`` where a path and an errno say it all
/// (ENOENT for a missing entry), or the backend's own typed error.
public protocol Backend: Sendable {
    var capabilities: BackendCapabilities { get }
    /// The backend's name in a message that refuses an option it cannot honour ("S3").
    var name: String { get }

    // MARK: Roots

    /// Opens the directory at `path` (relative to `base`, or to the working directory or
    /// bucket when `base` is nil); `nil` when it does not exist.
    func openRoot(_ path: [UInt8], relativeTo base: DirectoryRef?, followSymlink: Bool) async throws -> DirectoryRef?
    /// Makes the directory at `path` (relative as for ``openRoot(_:relativeTo:followSymlink:)``),
    /// with `parents` the missing ones above it too, and opens it. One that exists is opened.
    func makeRoot(_ path: [UInt8], relativeTo base: DirectoryRef?, parents: Bool) async throws -> DirectoryRef
    /// The status of an open directory itself (a transfer root's own attributes).
    func status(of directory: DirectoryRef) async throws -> FileStatus
    /// Whether two handles name the same directory (a backup name must not be the file itself).
    func isSameDirectory(_ a: DirectoryRef, _ b: DirectoryRef) async throws -> Bool

    // MARK: Listing

    /// Opens directory `name` inside `parent`, never through a symlink unless `followSymlink`
    /// (a source's `-L`); `nil` when it does not exist.
    func openDirectory(_ name: [UInt8], in parent: DirectoryRef, followSymlink: Bool) async throws -> DirectoryRef?
    /// The entries of `directory` in key order (``compareKeys(_:isDirectory:_:isDirectory:)``),
    /// symlink targets read.
    func list(_ directory: DirectoryRef) async throws -> any DirectoryListing
    /// One entry, or `nil` when there is no such name.
    func entry(_ name: [UInt8], in directory: DirectoryRef, followSymlink: Bool) async throws -> FileEntry?
    /// The entry at a relative path of several components below `root`, reached without
    /// following any symlink and without leaving `root`; `nil` when there is none.
    func entry(atPath path: [UInt8], beneath root: DirectoryRef) async throws -> FileEntry?

    // MARK: Reading

    /// Opens regular file `name` for reading. Size, contents and attributes all come from the
    /// version opened (``FileSource/status``), so a transfer copies one whole version. Anything
    /// but a regular file (a FIFO or symlink swapped in) throws with
    /// ``FileSystemError/isNotRegularFile``, and nothing blocks. `listed` is the entry the
    /// listing gave, which a remote backend may use instead of asking again.
    func openFile(_ name: [UInt8], in directory: DirectoryRef, listed: FileEntry?) async throws -> any FileSource
    /// Opens the regular file at `path` below `root`, reached as ``entry(atPath:beneath:)`` says.
    func openFile(atPath path: [UInt8], beneath root: DirectoryRef) async throws -> any FileSource

    // MARK: Writing

    /// Creates or replaces regular file `name` with the bytes of `source`, attributes (from
    /// `attributes`, given the version read) set before it becomes visible. The writer calls
    /// ``FileSource/transferred(_:)`` after each chunk; `false` stops the write and throws
    /// ``SyncInterrupted``. Returns the bytes written.
    func putFile(_ name: [UInt8], in directory: DirectoryRef, from source: any FileSource,
                 attributes: AttributesForVersion, options: WriteOptions) async throws -> Int64
    /// Like ``putFile(_:in:from:attributes:options:)``, but an existing file is the basis of a
    /// delta: only the bytes not found in it are literal. The basis is `name` itself unless
    /// `basis` names another file (a backup of it). Needs ``BackendCapabilities/inPlaceWrites``.
    /// Returns (literal, matched) byte counts.
    func putFileUsingBasis(_ name: [UInt8], in directory: DirectoryRef, basis: BasisFile?, from source: any FileSource,
                           attributes: AttributesForVersion, options: WriteOptions) async throws -> (literal: Int64, matched: Int64)
    func makeDirectory(_ name: [UInt8], in directory: DirectoryRef, permissions: UInt32) async throws
    func makeSymlink(_ name: [UInt8], in directory: DirectoryRef, target: [UInt8]) async throws
    func makeNode(_ name: [UInt8], in directory: DirectoryRef, status: FileStatus) async throws
    /// Makes `name` another name of the file at `path` below `root` (reached as
    /// ``entry(atPath:beneath:)`` says, so a symlink swapped in never links a file outside).
    func makeHardLink(_ name: [UInt8], in directory: DirectoryRef, toPath path: [UInt8], beneath root: DirectoryRef) async throws
    func setAttributes(_ name: [UInt8], in directory: DirectoryRef, kind: FileKind, _ attributes: AttributeSet) async throws
    func setAttributes(of directory: DirectoryRef, _ attributes: AttributeSet) async throws
    /// Removes `name`; a directory with everything inside it, reporting each removed path
    /// (relative to `name`'s parent, deepest first) to `removed`.
    func remove(_ name: [UInt8], in directory: DirectoryRef, kind: FileKind,
                removed: (_ relativePath: [UInt8], _ kind: FileKind) -> Void) async throws
    func rename(_ name: [UInt8], in directory: DirectoryRef, to newName: [UInt8], in newDirectory: DirectoryRef) async throws

    // MARK: Comparing

    /// Whether `entry` (in `directory`) holds the same bytes as `other`, when this backend can
    /// tell without reading its own bytes (an object store compares its checksum, S3's ETag,
    /// with one made of the other's bytes or with the other's own); nil when it cannot, and
    /// the engine then hashes both (`-c`).
    func sameContents(_ entry: FileEntry, in directory: DirectoryRef, as other: any FileSource) async throws -> Bool?
}

extension Backend {
    /// Opens directory `name` inside `parent`, never through a symlink.
    public func openDirectory(_ name: [UInt8], in parent: DirectoryRef) async throws -> DirectoryRef? {
        try await openDirectory(name, in: parent, followSymlink: false)
    }

    /// A backend without a checksum of its own: the engine hashes the bytes.
    public func sameContents(_ entry: FileEntry, in directory: DirectoryRef, as other: any FileSource) async throws -> Bool? { nil }
}

extension Backend {
    /// Every entry of `directory`, in key order.
    public func entries(of directory: DirectoryRef) async throws -> [FileEntry] {
        let listing = try await list(directory)
        return try await listing.remaining()
    }

    /// ``openRoot(_:relativeTo:followSymlink:)`` from the working directory (or the bucket).
    public func openRoot(_ path: [UInt8], followSymlink: Bool) async throws -> DirectoryRef? {
        try await openRoot(path, relativeTo: nil, followSymlink: followSymlink)
    }
}
