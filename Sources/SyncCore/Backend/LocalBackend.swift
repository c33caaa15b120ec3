#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import SyncSystem

/// A directory of the local filesystem, held by an open descriptor: every call about a name
/// inside it is relative to that descriptor, so nothing is resolved through a path again.
public final class LocalDirectory: DirectoryRef, @unchecked Sendable {
    public let descriptor: Int32
    private let listed = Atomic<Bool>(false)

    public init(descriptor: Int32, displayPath: String) {
        self.descriptor = descriptor
        super.init(displayPath: displayPath)
    }

    deinit { FileSystem.close(descriptor) }

    /// Notes a listing; returns whether the directory was listed before (and so must be rewound).
    func markListed() -> Bool { listed.exchange(true, ordering: .relaxed) }
}

/// The local filesystem as a ``Backend``: every call goes through ``FileSystem``, relative to
/// an open directory and without following symlinks below a root.
public struct LocalBackend: Backend {
    public init() {}

    public var capabilities: BackendCapabilities {
        [.posixAttributes, .hardLinks, .symlinks, .specialFiles, .inPlaceWrites, .kernelCopy, .settableTimes, .directories]
    }

    public var name: String { "local" }

    /// The local directory behind `ref`: the engine only hands back what this backend made.
    @inline(__always)
    static func local(_ ref: DirectoryRef) throws(FileSystemError) -> LocalDirectory {
        guard let local = ref as? LocalDirectory else {
            throw FileSystemError(operation: "opendir", path: ref.displayPath, errno: EBADF)
        }
        return local
    }

    static func base(_ ref: DirectoryRef?, for path: [UInt8]) throws(FileSystemError) -> Int32 {
        guard let ref, path.first != UInt8(ascii: "/") else { return FileSystem.currentDirectory }
        return try local(ref).descriptor
    }

    // MARK: Roots

    public func openRoot(_ path: [UInt8], relativeTo base: DirectoryRef?, followSymlink: Bool) throws -> DirectoryRef? {
        let display = DisplayPath.escape(path)
        let anchor = try Self.base(base, for: path)
        do throws(FileSystemError) {
            let fd = try FileSystem.openDirectory(path, in: anchor, followSymlink: followSymlink, path: display)
            return LocalDirectory(descriptor: fd, displayPath: display)
        } catch {
            if error.errno == ENOENT { return nil }
            throw error
        }
    }

    public func makeRoot(_ path: [UInt8], relativeTo base: DirectoryRef?, parents: Bool) throws -> DirectoryRef {
        let anchor = try Self.base(base, for: path)
        let display = DisplayPath.escape(path)
        var prefix: [UInt8] = path.first == UInt8(ascii: "/") ? [UInt8(ascii: "/")] : []
        let components = path.split(separator: UInt8(ascii: "/"))
        var mkdirFailure: FileSystemError?
        for (index, component) in components.enumerated() {
            prefix += component
            if parents || index == components.count - 1 {
                do {
                    try FileSystem.makeDirectory(prefix, in: anchor, mode: 0o755, path: DisplayPath.escape(prefix))
                } catch where error.errno == EEXIST {
                    // There already (a directory, or what the open below refuses).
                } catch {
                    mkdirFailure = mkdirFailure ?? error
                }
            }
            prefix.append(UInt8(ascii: "/"))
        }
        do {
            let fd = try FileSystem.openDirectory(path, in: anchor, followSymlink: true, path: display)
            return LocalDirectory(descriptor: fd, displayPath: display)
        } catch {
            // The mkdir's reason says more than the open's ENOENT that follows it.
            throw mkdirFailure ?? error
        }
    }

    public func status(of directory: DirectoryRef) throws -> FileStatus {
        try FileSystem.status(of: Self.local(directory).descriptor, path: directory.displayPath)
    }

    public func isSameDirectory(_ a: DirectoryRef, _ b: DirectoryRef) throws -> Bool {
        let x = try status(of: a), y = try status(of: b)
        return x.device == y.device && x.inode == y.inode
    }

    // MARK: Listing

    public func openDirectory(_ name: [UInt8], in parent: DirectoryRef, followSymlink: Bool) throws -> DirectoryRef? {
        let display = parent.path(of: name)
        let anchor = try Self.local(parent).descriptor
        do throws(FileSystemError) {
            let fd = try FileSystem.openDirectory(name, in: anchor, followSymlink: followSymlink, path: display)
            return LocalDirectory(descriptor: fd, displayPath: display)
        } catch {
            if error.errno == ENOENT { return nil }
            throw error
        }
    }

    public func list(_ directory: DirectoryRef) throws -> any DirectoryListing {
        ArrayListing(sorted: try entries(in: directory))
    }

    /// The entries of a directory, in key order.
    public func entries(in directory: DirectoryRef) throws -> [FileEntry] {
        let dir = try Self.local(directory)
        let names = try FileSystem.readDirectoryNames(dir.descriptor, rewind: dir.markListed(), path: directory.displayPath)
        var entries: [FileEntry] = []
        entries.reserveCapacity(names.count)
        for name in names {
            // A name that vanished between readdir and lstat is simply not listed.
            guard let entry = try entry(name, in: dir, followSymlink: false) else { continue }
            entries.append(entry)
        }
        entries.sortInKeyOrder()
        return entries
    }

    public func entry(_ name: [UInt8], in directory: DirectoryRef, followSymlink: Bool) throws -> FileEntry? {
        try entry(name, in: Self.local(directory).descriptor, display: directory.path(of: name), followSymlink: followSymlink)
    }

    private func entry(_ name: [UInt8], in fd: Int32, display: @autoclosure () -> String, followSymlink: Bool) throws(FileSystemError) -> FileEntry? {
        let status: FileStatus
        do {
            status = followSymlink
                ? try FileSystem.status(name, in: fd, path: display())
                : try FileSystem.linkStatus(name, in: fd, path: display())
        } catch where error.errno == ENOENT {
            return nil
        }
        var entry = FileEntry(name: name, status: status)
        if status.kind == .symlink {
            entry.linkTarget = try FileSystem.readLink(name, in: fd, sizeHint: Int(status.size), path: display())
        }
        return entry
    }

    public func entry(atPath path: [UInt8], beneath root: DirectoryRef) throws -> FileEntry? {
        let anchor = try Self.local(root).descriptor
        do throws(FileSystemError) {
            return try FileSystem.withParent(of: path, beneath: anchor, path: root.path(of: path)) { (dir, name) throws(FileSystemError) in
                try entry(name, in: dir, display: root.path(of: path), followSymlink: false)
            }
        } catch {
            if error.errno == ENOENT || error.errno == ENOTDIR { return nil }
            throw error
        }
    }

    // MARK: Reading

    public func openFile(_ name: [UInt8], in directory: DirectoryRef, listed: FileEntry?) throws -> any FileSource {
        let (fd, status) = try FileSystem.openRegularFile(name, in: Self.local(directory).descriptor,
                                                          followSymlink: listed?.followsSymlink ?? false, path: directory.path(of: name))
        return LocalFileSource(descriptor: fd, status: status, directory: directory, name: name)
    }

    public func openFile(atPath path: [UInt8], beneath root: DirectoryRef) throws -> any FileSource {
        let display = root.path(of: path)
        let (fd, status) = try FileSystem.withParent(of: path, beneath: Self.local(root).descriptor, path: display) { (dir, name) throws(FileSystemError) in
            try FileSystem.openRegularFile(name, in: dir, path: display)
        }
        return LocalFileSource(descriptor: fd, status: status, directory: root, name: path)
    }

    // MARK: Writing

    public func putFile(_ name: [UInt8], in directory: DirectoryRef, from source: any FileSource,
                        attributes: AttributesForVersion, options: WriteOptions) async throws -> Int64 {
        let dir = try Self.local(directory)
        // Made only for a message (building it per file was measurable).
        let display = { directory.path(of: name) }
        // Without a local descriptor (a remote source) the mode is known only once the bytes
        // are in: the file starts private and gets its mode with the rest.
        let usableMode = source.descriptor == nil ? 0o600 : Self.creationMode(for: attributes(source.status))
        var writer = try AtomicFileWriter(name: name, in: dir, options: options, creationMode: usableMode)
        do {
            let written: Int64
            if let fd = source.descriptor {
                written = try Self.copy(from: fd, size: source.status.size, to: writer.descriptor, options: options,
                                        progress: source.transferred, path: display())
            } else {
                written = try await Self.write(source, to: writer.descriptor, path: display())
            }
            try CancellationFlag.check()
            try writer.apply(attributes(source.status), createdWith: usableMode)
            try writer.commit()
            return written
        } catch let error as FileSystemError where error.errno == ECANCELED {
            writer.abandon(interrupted: true)
            throw SyncInterrupted()
        } catch {
            writer.abandon(interrupted: error is SyncInterrupted)
            throw error
        }
    }

    /// A local source's bytes by the kernel (holes kept with `-S`); a source that shrank while
    /// copied gave less than one whole version, which is an error (the old file stays).
    private static func copy(from fd: Int32, size: Int64, to output: Int32, options: WriteOptions,
                             progress: (Int) -> Bool, path: @autoclosure () -> String) throws(FileSystemError) -> Int64 {
        let written: Int64
        if options.sparse {
            written = try FileSystem.copySparse(from: fd, to: output, size: size, punchHoles: options.inPlace, limiter: progress, path: path())
        } else {
            written = try FileSystem.copyContents(from: fd, to: output, sizeHint: size, limiter: progress, path: path())
        }
        // In place, an old longer file must end where the new one does (holes are not "written").
        if options.inPlace { try FileSystem.truncate(output, to: options.sparse ? size : written, path: path()) }
        let sizeNow = try FileSystem.status(of: fd, path: path()).size
        if (!options.sparse && written < size) || sizeNow < size {
            throw FileSystemError(operation: "read errors mapping", path: path(), errno: ENODATA)
        }
        return written
    }

    /// A remote source's bytes, each piece written at its offset as it arrives.
    private static func write(_ source: any FileSource, to output: Int32, path: String) async throws -> Int64 {
        try await source.read { offset, bytes in
            try FileSystem.writeAll(output, bytes, at: offset, path: path)
            guard source.transferred(bytes.count) else { throw SyncInterrupted() }
        }
        // A piece a retry sent again was written at its place again: the file is the version's size.
        try FileSystem.truncate(output, to: source.status.size, path: path)
        return source.status.size
    }

    /// The mode a new file is created with: its final mode when that has no set-id bits and
    /// the run's umask is 0 (so no chmod is needed later), else a private 0600.
    static func creationMode(for attributes: AttributeSet) -> UInt32 {
        guard FileSystem.currentUmask == 0, let mode = attributes.permissions, mode & 0o7000 == 0 else { return 0o600 }
        return mode
    }

    public func makeDirectory(_ name: [UInt8], in directory: DirectoryRef, permissions: UInt32) throws {
        try FileSystem.makeDirectory(name, in: Self.local(directory).descriptor, mode: permissions, path: directory.path(of: name))
    }

    public func makeSymlink(_ name: [UInt8], in directory: DirectoryRef, target: [UInt8]) throws {
        try FileSystem.makeSymlink(name, in: Self.local(directory).descriptor, target: target, path: directory.path(of: name))
    }

    public func makeNode(_ name: [UInt8], in directory: DirectoryRef, status: FileStatus) throws {
        try FileSystem.makeNode(name, in: Self.local(directory).descriptor, mode: status.modeWithType, device: status.rdev,
                                path: directory.path(of: name))
    }

    public func makeHardLink(_ name: [UInt8], in directory: DirectoryRef, toPath path: [UInt8], beneath root: DirectoryRef) throws {
        let fd = try Self.local(directory).descriptor
        try FileSystem.withParent(of: path, beneath: Self.local(root).descriptor, path: root.path(of: path)) { (dir, existing) throws(FileSystemError) in
            try FileSystem.makeHardLink(name, in: fd, to: existing, in: dir, path: directory.path(of: name))
        }
    }

    public func setAttributes(_ name: [UInt8], in directory: DirectoryRef, kind: FileKind, _ a: AttributeSet) throws {
        let fd = try Self.local(directory).descriptor
        if a.uid != nil || a.gid != nil {
            try FileSystem.setOwner(name, in: fd, uid: a.uid, gid: a.gid, path: directory.path(of: name))
        }
        // Linux cannot chmod a symlink; its mode is always 0777.
        if let mode = a.permissions, kind != .symlink {
            try FileSystem.setPermissions(name, in: fd, mode, path: directory.path(of: name))
        }
        if a.mtime != nil || a.atime != nil {
            try FileSystem.setTimes(name, in: fd, access: a.atime, modification: a.mtime, path: directory.path(of: name))
        }
    }

    public func setAttributes(of directory: DirectoryRef, _ a: AttributeSet) throws {
        let fd = try Self.local(directory).descriptor
        if a.uid != nil || a.gid != nil {
            try FileSystem.setOwner(of: fd, uid: a.uid, gid: a.gid, path: directory.displayPath)
        }
        if let mode = a.permissions { try FileSystem.setPermissions(of: fd, mode, path: directory.displayPath) }
        if a.mtime != nil || a.atime != nil {
            try FileSystem.setTimes(of: fd, access: a.atime, modification: a.mtime, path: directory.displayPath)
        }
    }

    public func remove(_ name: [UInt8], in directory: DirectoryRef, kind: FileKind,
                       removed: (_ relativePath: [UInt8], _ kind: FileKind) -> Void) throws {
        let fd = try Self.local(directory).descriptor
        if kind != .directory {
            try FileSystem.remove(name, in: fd, isDirectory: false, path: directory.path(of: name))
            removed(name, kind)
            return
        }
        try FileSystem.removeTree(name, in: fd, path: directory.path(of: name), removed: removed)
    }

    public func rename(_ name: [UInt8], in directory: DirectoryRef, to newName: [UInt8], in newDirectory: DirectoryRef) throws {
        try FileSystem.rename(name, in: Self.local(directory).descriptor, to: newName, in: Self.local(newDirectory).descriptor,
                              path: directory.path(of: name))
    }
}
