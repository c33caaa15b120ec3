import SyncCore
import SyncSystem

/// One file or directory of a sync root, named by its whole path below the root: the shape
/// both an S3 listing (keys under a prefix) and a local tree take, so that any two of them can
/// be merged in one pass (``FlatTreePlanner``).
///
/// Directory paths end in `/`, as S3's directory keys do, so a file `a` and a directory `a/`
/// are different paths and the byte order of paths is the byte order of S3 keys.
public struct FlatEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable { case file, directory }

    /// `/`-separated path below the root; a directory's ends in `/`.
    public var path: [UInt8]
    public var kind: Kind
    public var size: Int64
    /// A local file's modification time; an object's LastModified.
    public var mtime: FileTime
    /// A local file's ctime (when its inode last changed): how old a downloaded copy really is.
    public var changeTime: FileTime
    /// An object's ETag (quoted, as S3 gives it).
    public var etag: String?
    /// Local permission bits.
    public var permissions: UInt32
    /// A directory that only exists because keys below it do (no `dir/` key in S3).
    public var implicit: Bool
    /// A local entry reached through a symlink (`-L`).
    public var followedSymlink: Bool

    public init(path: [UInt8], kind: Kind, size: Int64 = 0, mtime: FileTime = FileTime(seconds: 0),
                changeTime: FileTime = FileTime(seconds: 0), etag: String? = nil, permissions: UInt32 = 0,
                implicit: Bool = false, followedSymlink: Bool = false) {
        self.path = path
        self.kind = kind
        self.size = size
        self.mtime = mtime
        self.changeTime = changeTime
        self.etag = etag
        self.permissions = permissions
        self.implicit = implicit
        self.followedSymlink = followedSymlink
    }

    public var isDirectory: Bool { kind == .directory }

    /// The path without a directory's trailing `/` (what filters and messages use).
    public var name: [UInt8] { isDirectory && path.last == UInt8(ascii: "/") ? Array(path.dropLast()) : path }

    /// Whether the path can name a file below a local root: no empty, `.` or `..` component
    /// (a key like `../../etc/passwd` must never escape the destination) and no NUL byte.
    public var isSafeLocalPath: Bool {
        let components = name.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        return !name.isEmpty && !name.contains(0) && components.allSatisfy { c in
            !c.isEmpty && !(c.count == 1 && c.first == UInt8(ascii: ".")) && !(c.count == 2 && c.allSatisfy { $0 == UInt8(ascii: ".") })
        }
    }

    /// The path as text (S3 keys are UTF-8; local names that are not were refused earlier).
    public var text: String { String(decoding: path, as: UTF8.self) }
}

/// Building and shaping flat trees: sorting, implied directories, filters.
public enum FlatTree {
    /// Sorts by path bytes (S3's key order) and drops duplicate paths.
    public static func sorted(_ entries: [FlatEntry]) -> [FlatEntry] {
        var result = entries.sorted { compareNames($0.path, $1.path) < 0 }
        var unique = 0
        for i in result.indices where unique == 0 || result[i].path != result[unique - 1].path {
            result[unique] = result[i]
            unique += 1
        }
        result.removeLast(result.count - unique)
        return result
    }

    /// S3 objects as a flat tree: `dir/` keys become directories, and every directory a key
    /// lies in is added (implicit) when it has no key of its own. Sorted. Keys `accept` refuses
    /// are left out before their directories are implied.
    public static func fromObjects(_ objects: [S3Object], prefix: String, accept: (FlatEntry) -> Bool = { _ in true }) -> [FlatEntry] {
        var entries: [FlatEntry] = []
        entries.reserveCapacity(objects.count + objects.count / 8)
        let skip = prefix.utf8.count
        // Directories with a key of their own are not implied again.
        var seenDirectories = Set(objects.lazy.filter { $0.key.hasSuffix("/") }.map { Array($0.key.utf8.dropFirst(skip)) })
        for object in objects where object.key.utf8.count > skip {
            let path = Array(object.key.utf8.dropFirst(skip))
            let entry = FlatEntry(path: path, kind: path.last == UInt8(ascii: "/") ? .directory : .file, size: object.size,
                                  mtime: FileTime(seconds: object.lastModified), etag: object.etag)
            guard accept(entry) else { continue }
            // Implied parents: every "/" inside the path ends one.
            for i in path.indices.dropLast() where path[i] == UInt8(ascii: "/") {
                let parent = Array(path[...i])
                if seenDirectories.insert(parent).inserted {
                    entries.append(FlatEntry(path: parent, kind: .directory, implicit: true))
                }
            }
            entries.append(entry)
        }
        return sorted(entries)
    }

    /// Leaves out what the sender's filters exclude: an excluded directory takes everything
    /// below it along, as rsync's walk would never enter it.
    public static func applyingSenderFilters(_ entries: [FlatEntry], options: SyncOptions) -> [FlatEntry] {
        let filters = options.filters
        if filters.isEmpty && filters.minimumSize == nil && filters.maximumSize == nil && options.recursive { return entries }
        var excludedDirectory: [UInt8]?
        return entries.filter { entry in
            if let excluded = excludedDirectory, entry.path.starts(with: excluded) { return false }
            excludedDirectory = nil
            // Without -r only the files at the top are synced.
            if !options.recursive && (entry.isDirectory || entry.name.contains(UInt8(ascii: "/"))) { return false }
            if filters.excludesOnSender(entry.name, isDirectory: entry.isDirectory) {
                if entry.isDirectory { excludedDirectory = entry.path }
                return false
            }
            if entry.kind == .file {
                if let min = filters.minimumSize, entry.size < min { return false }
                if let max = filters.maximumSize, entry.size > max { return false }
            }
            return true
        }
    }

    /// Whether `--delete` must leave `entry` alone: protected by the receiver's rules (which
    /// exclude rules are too, unless `--delete-excluded`), itself or through a directory above it.
    public static func isProtectedFromDeletion(_ entry: FlatEntry, options: SyncOptions) -> Bool {
        let filters = options.filters
        if filters.isEmpty { return false }
        var components: [[UInt8]] = []
        var start = 0
        let name = entry.name
        for i in name.indices where name[i] == UInt8(ascii: "/") {
            components.append(Array(name[start..<i]))
            start = i + 1
        }
        var prefix: [UInt8] = []
        for component in components {
            prefix += prefix.isEmpty ? component : [UInt8(ascii: "/")] + component
            if filters.protectsOnReceiver(prefix, isDirectory: true) { return true }
        }
        return filters.protectsOnReceiver(name, isDirectory: entry.isDirectory)
    }
}
