import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// A local directory tree as a flat tree: the source of an upload (filters applied, symlinks
/// followed with `-L` or skipped with one warning each) or the destination of a download
/// (everything, as it is, so that `--delete` and replacements see it all).
public struct LocalTree: Sendable {
    public enum Role: Sendable { case source, destination }

    /// The root directory as given (messages name files below it).
    public let root: String

    public init(root: String) {
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    /// The display path of `entry`.
    public func displayPath(_ entry: FlatEntry) -> String {
        (root == "/" ? "/" : root + "/") + DisplayPath.escape(entry.name)
    }

    /// Every file and directory below the root, sorted; nil when the root does not exist.
    public func walk(role: Role, options: SyncOptions, reporter: SyncReporter) throws(FileSystemError) -> [FlatEntry]? {
        let rootFD: Int32
        do {
            rootFD = try FileSystem.openDirectory(Array(root.utf8), in: FileSystem.currentDirectory, followSymlink: true, path: root)
        } catch where error.errno == ENOENT && role == .destination {
            return nil
        }
        defer { FileSystem.close(rootFD) }
        var entries: [FlatEntry] = []
        // -x: the walk of a source stays on the root's filesystem, as the engine's does.
        let rootDevice = role == .source && options.oneFileSystem ? try FileSystem.status(of: rootFD, path: root).device : nil
        visit(rootFD, relative: [], display: root, role: role, options: options, rootDevice: rootDevice, reporter: reporter,
              into: &entries)
        return FlatTree.sorted(entries)
    }

    /// - Parameter rootDevice: with `-x`, the source root's device: a directory on another one
    ///   (a mount point) is listed itself, as rsync's `-x` keeps it, but not entered.
    private func visit(_ fd: Int32, relative: [UInt8], display: String, role: Role, options: SyncOptions, rootDevice: UInt64?,
                       reporter: SyncReporter, into entries: inout [FlatEntry]) {
        let names: [[UInt8]]
        do { names = try FileSystem.readDirectoryNames(fd, path: display) } catch {
            reporter.error("\(error)")
            return
        }
        for name in names {
            let path = relative.isEmpty ? name : relative + [UInt8(ascii: "/")] + name
            let childDisplay = (display == "/" ? "/" : display + "/") + DisplayPath.escape(name)
            guard var status = try? FileSystem.linkStatus(name, in: fd, path: childDisplay) else {
                if role == .source { reporter.vanished(childDisplay) }
                continue
            }
            var followed = false
            if role == .source && status.kind == .symlink {
                guard options.copyLinks, let target = try? FileSystem.status(name, in: fd, path: childDisplay) else {
                    reporter.warning("skipping symlink \"\(childDisplay)\"" + (options.copyLinks ? " (dangling)" : " (S3 has none; -L copies what it points to)"))
                    continue
                }
                status = target
                followed = true
            }
            if role == .source {
                if options.filters.excludesOnSender(path, isDirectory: status.kind == .directory) { continue }
                guard String(validating: path, as: UTF8.self) != nil else {
                    reporter.error("skipping \"\(childDisplay)\": the name is not valid UTF-8, which S3 keys must be")
                    continue
                }
            }
            switch status.kind {
            case .directory:
                guard options.recursive || role == .destination else {
                    reporter.info("skipping directory \(DisplayPath.escape(path))")
                    continue
                }
                entries.append(FlatEntry(path: path + [UInt8(ascii: "/")], kind: .directory, mtime: status.mtime,
                                         changeTime: status.changeTime, permissions: status.permissions, followedSymlink: followed))
                if let rootDevice, status.device != rootDevice { continue }
                do {
                    let child = try FileSystem.openDirectory(name, in: fd, followSymlink: followed, path: childDisplay)
                    defer { FileSystem.close(child) }
                    visit(child, relative: path, display: childDisplay, role: role, options: options, rootDevice: rootDevice,
                          reporter: reporter, into: &entries)
                } catch where error.errno == ENOENT {
                    if role == .source { reporter.vanished(childDisplay) }
                } catch {
                    reporter.error("\(error)")
                }
            case .regular:
                if role == .source && options.filters.skipsSize(status.size) { continue }
                entries.append(FlatEntry(path: path, kind: .file, size: status.size, mtime: status.mtime, changeTime: status.changeTime,
                                         permissions: status.permissions, followedSymlink: followed))
            default:
                if role == .source {
                    reporter.warning("skipping non-regular file \"\(childDisplay)\"")
                } else {
                    // Something that is not a regular file stands where a file may go: it never
                    // matches (size -1), so a download replaces it.
                    entries.append(FlatEntry(path: path, kind: .file, size: -1, mtime: status.mtime, changeTime: status.changeTime))
                }
            }
        }
    }

    /// The directory `path` below the root (empty: the root itself), reached one component at a
    /// time from the root's descriptor without following a symlink (openat with O_NOFOLLOW and
    /// O_DIRECTORY), so that a symlink in a destination, there before the run or swapped in
    /// during it, never takes what is written or removed outside the tree. `file` and
    /// `operation` name what the directory is wanted for, in the error.
    public func directory(_ path: [UInt8], for file: [UInt8], operation: String) throws -> LocalDirectory {
        let rootFD = try FileSystem.openDirectory(Array(root.utf8), in: FileSystem.currentDirectory, followSymlink: true, path: root)
        var current = LocalDirectory(descriptor: rootFD, displayPath: root)
        for component in path.split(separator: UInt8(ascii: "/")) {
            let name = Array(component)
            let display = current.path(of: name)
            let result = Result { () throws(FileSystemError) in
                try FileSystem.openDirectory(name, in: current.descriptor, followSymlink: false, path: display)
            }
            switch result {
            case .success(let fd):
                current = LocalDirectory(descriptor: fd, displayPath: display)
            case .failure(let error) where error.errno == ENOTDIR || error.errno == ELOOP:
                let kind = (try? FileSystem.linkStatus(name, in: current.descriptor, path: display))?.kind
                throw DestinationPathError(operation: operation, file: (root == "/" ? "/" : root + "/") + DisplayPath.escape(file),
                                           component: display, isSymlink: kind == .symlink)
            case .failure(let error):
                throw error
            }
        }
        return current
    }

    /// Opens a file of a destination tree for reading, through no symlink at all.
    public func openInDestination(_ entry: FlatEntry) throws -> Int32 {
        let (parent, name) = S3Sync.splitPath(entry.path)
        let directory = try directory(parent, for: entry.path, operation: "reading")
        return try FileSystem.open(name, in: directory.descriptor, flags: O_RDONLY | O_CLOEXEC | O_NOFOLLOW, mode: 0, path: displayPath(entry))
    }

    /// Opens a regular file of the tree for reading (through its symlink only when `-L` followed one).
    public func open(_ entry: FlatEntry) throws(FileSystemError) -> Int32 {
        try FileSystem.open(Array(root.utf8) + [UInt8(ascii: "/")] + entry.path, in: FileSystem.currentDirectory,
                            flags: O_RDONLY | O_CLOEXEC | (entry.followedSymlink ? 0 : O_NOFOLLOW), mode: 0, path: displayPath(entry))
    }
}

/// A destination path that runs through a symlink or a file where a directory should be: it is
/// never followed, so the file below it is not written (or removed).
public struct DestinationPathError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let file: String
    public let component: String
    public let isSymlink: Bool

    public var description: String {
        "not \(operation) \"\(file)\": \"\(component)\" is \(isSymlink ? "a symlink, which is never followed" : "not a directory")"
    }
}
