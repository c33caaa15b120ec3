#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import SyncSystem

/// An open directory of a backend: the anchor for every call about the names inside it.
///
/// For the local backend it owns a directory descriptor; `displayPath` is what error
/// messages show (the path as the user would write it).
public final class DirectoryRef: @unchecked Sendable {
    public let descriptor: Int32
    public let displayPath: String

    public init(descriptor: Int32, displayPath: String) {
        self.descriptor = descriptor
        self.displayPath = displayPath
    }

    deinit { if descriptor >= 0 { FileSystem.close(descriptor) } }

    private let listed = Atomic<Bool>(false)

    /// Notes a listing; returns whether the directory was listed before (and so must be rewound).
    public func markListed() -> Bool { listed.exchange(true, ordering: .relaxed) }

    /// The display path of `name` inside this directory.
    public func path(of name: [UInt8]) -> String {
        let escaped = DisplayPath.escape(name)
        if displayPath.isEmpty || displayPath == "." { return escaped }
        return displayPath.hasSuffix("/") ? displayPath + escaped : displayPath + "/" + escaped
    }
}

/// What a backend can do beyond the common core, declared rather than discovered by type.
public struct BackendCapabilities: Sendable, OptionSet {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public static let posixAttributes = BackendCapabilities(rawValue: 1 << 0)
    public static let hardLinks = BackendCapabilities(rawValue: 1 << 1)
    public static let symlinks = BackendCapabilities(rawValue: 1 << 2)
    public static let specialFiles = BackendCapabilities(rawValue: 1 << 3)
    public static let inPlaceWrites = BackendCapabilities(rawValue: 1 << 4)
    public static let kernelCopy = BackendCapabilities(rawValue: 1 << 5)
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

    /// Refuses (EINVAL) a backup name that is `name` itself in its own directory (an empty
    /// suffix with a `--backup-dir` that is the destination directory): "backing up" would then
    /// unlink or rename the only copy onto itself.
    public func checkDistinct(from name: [UInt8], in directory: DirectoryRef) throws(FileSystemError) {
        guard self.name == name else { return }
        let display = directory.path(of: name)
        let here = try FileSystem.status(of: directory.descriptor, path: directory.displayPath)
        let there = try FileSystem.status(of: self.directory.descriptor, path: self.directory.displayPath)
        if here.device == there.device && here.inode == there.inode {
            throw FileSystemError(operation: "backup (the backup name is the file itself)", path: display, errno: EINVAL)
        }
    }
}

/// The small interface the engine drives: list, read, and the atomic ways to change a tree.
///
/// Cross-cutting behaviour (dry-run, rate limits, logging) wraps a backend; the engine never
/// asks which backend it has.
public protocol Backend: Sendable {
    var capabilities: BackendCapabilities { get }

    /// Opens the directory at `path` (a transfer root); `nil` when it does not exist.
    func openRoot(_ path: [UInt8], followSymlink: Bool) throws(FileSystemError) -> DirectoryRef?
    /// Opens directory `name` inside `parent`; `nil` when it does not exist (or is not there yet in a dry run).
    func openDirectory(_ name: [UInt8], in parent: DirectoryRef) throws(FileSystemError) -> DirectoryRef?
    /// The entries of `directory`, sorted by name bytes, symlink targets read.
    func list(_ directory: DirectoryRef) throws(FileSystemError) -> [FileEntry]
    /// One entry, or `nil` when there is no such name.
    func entry(_ name: [UInt8], in directory: DirectoryRef, followSymlink: Bool) throws(FileSystemError) -> FileEntry?
    /// Opens a regular file for reading and returns its descriptor (the caller closes it) with the
    /// status of what was opened: a transfer takes size and attributes from that, not from the
    /// listing, so it copies one whole version. Anything but a regular file (a FIFO or symlink
    /// swapped in) throws with ``FileSystemError/isNotRegularFile``, and nothing blocks.
    func openRegularFile(_ name: [UInt8], in directory: DirectoryRef) throws(FileSystemError) -> (descriptor: Int32, status: FileStatus)

    /// Creates or replaces regular file `name` with the contents of `source`, attributes set
    /// before it becomes visible. `onChunk` sees each chunk written (for pacing and progress);
    /// returning `false` stops the write and throws ``SyncInterrupted``. Returns the bytes written.
    func writeFile(_ name: [UInt8], in directory: DirectoryRef, from source: Int32, size: Int64,
                   attributes: AttributeSet, options: WriteOptions, onChunk: (Int) -> Bool) throws -> Int64
    /// Like `writeFile`, but an existing file is the basis of a delta: only the bytes not found in
    /// it are literal. The basis is `name` itself unless `basis` names another file (a backup of
    /// it). Returns (literal, matched) byte counts.
    func writeFileUsingBasis(_ name: [UInt8], in directory: DirectoryRef, basis: BasisFile?, from source: Int32, size: Int64,
                             attributes: AttributeSet, options: WriteOptions) throws -> (literal: Int64, matched: Int64)
    func makeDirectory(_ name: [UInt8], in directory: DirectoryRef, permissions: UInt32) throws(FileSystemError)
    func makeSymlink(_ name: [UInt8], in directory: DirectoryRef, target: [UInt8]) throws(FileSystemError)
    func makeNode(_ name: [UInt8], in directory: DirectoryRef, status: FileStatus) throws(FileSystemError)
    func makeHardLink(_ name: [UInt8], in directory: DirectoryRef, to existing: [UInt8], in existingDirectory: DirectoryRef) throws(FileSystemError)
    func setAttributes(_ name: [UInt8], in directory: DirectoryRef, kind: FileKind, _ attributes: AttributeSet) throws(FileSystemError)
    func setAttributes(of directory: DirectoryRef, _ attributes: AttributeSet) throws(FileSystemError)
    /// Removes `name`; a directory with everything inside it, reporting each removed path
    /// (relative to `name`'s parent, deepest first) to `removed`.
    func remove(_ name: [UInt8], in directory: DirectoryRef, kind: FileKind,
                removed: (_ relativePath: [UInt8], _ kind: FileKind) -> Void) throws(FileSystemError)
    func rename(_ name: [UInt8], in directory: DirectoryRef, to newName: [UInt8], in newDirectory: DirectoryRef) throws(FileSystemError)
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

extension Backend {
    /// ``openRegularFile(_:in:)`` when only the descriptor is needed.
    public func openForReading(_ name: [UInt8], in directory: DirectoryRef) throws(FileSystemError) -> Int32 {
        try openRegularFile(name, in: directory).descriptor
    }
}
