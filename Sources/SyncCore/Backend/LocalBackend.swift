#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// The local filesystem as a ``Backend``: every call goes through ``FileSystem``.
public struct LocalBackend: Backend {
    public init() {}

    public var capabilities: BackendCapabilities {
        [.posixAttributes, .hardLinks, .symlinks, .specialFiles, .inPlaceWrites, .kernelCopy]
    }

    public func openRoot(_ path: [UInt8], followSymlink: Bool) throws(FileSystemError) -> DirectoryRef? {
        let display = DisplayPath.escape(path)
        do {
            let fd = try FileSystem.openDirectory(path, in: FileSystem.currentDirectory, followSymlink: followSymlink, path: display)
            return DirectoryRef(descriptor: fd, displayPath: display)
        } catch where error.errno == ENOENT {
            return nil
        }
    }

    public func openDirectory(_ name: [UInt8], in parent: DirectoryRef) throws(FileSystemError) -> DirectoryRef? {
        do {
            let fd = try FileSystem.openDirectory(name, in: parent.descriptor, path: parent.path(of: name))
            return DirectoryRef(descriptor: fd, displayPath: parent.path(of: name))
        } catch where error.errno == ENOENT {
            return nil
        }
    }

    public func list(_ directory: DirectoryRef) throws(FileSystemError) -> [FileEntry] {
        let names = try FileSystem.readDirectoryNames(directory.descriptor, rewind: directory.markListed(),
                                                      path: directory.displayPath)
        var entries: [FileEntry] = []
        entries.reserveCapacity(names.count)
        for name in names {
            // A name that vanished between readdir and lstat is simply not listed.
            guard let entry = try entry(name, in: directory, followSymlink: false) else { continue }
            entries.append(entry)
        }
        entries.sort { compareNames($0.name, $1.name) < 0 }
        return entries
    }

    public func entry(_ name: [UInt8], in directory: DirectoryRef, followSymlink: Bool) throws(FileSystemError) -> FileEntry? {
        let status: FileStatus
        do {
            status = followSymlink
                ? try FileSystem.status(name, in: directory.descriptor, path: directory.path(of: name))
                : try FileSystem.linkStatus(name, in: directory.descriptor, path: directory.path(of: name))
        } catch where error.errno == ENOENT {
            return nil
        }
        var entry = FileEntry(name: name, status: status)
        if status.kind == .symlink {
            entry.linkTarget = try FileSystem.readLink(name, in: directory.descriptor, sizeHint: Int(status.size),
                                                       path: directory.path(of: name))
        }
        return entry
    }

    public func openRegularFile(_ name: [UInt8], in directory: DirectoryRef) throws(FileSystemError) -> (descriptor: Int32, status: FileStatus) {
        try FileSystem.openRegularFile(name, in: directory.descriptor, path: directory.path(of: name))
    }

    public func writeFile(_ name: [UInt8], in directory: DirectoryRef, from source: Int32, size: Int64,
                          attributes: AttributeSet, options: WriteOptions, onChunk: (Int) -> Bool) throws -> Int64 {
        let usableMode = Self.creationMode(for: attributes)
        var writer = try AtomicFileWriter(name: name, in: directory, options: options, creationMode: usableMode)
        do {
            let written: Int64
            if options.sparse {
                written = try FileSystem.copySparse(from: source, to: writer.descriptor, size: size, punchHoles: options.inPlace,
                                                    limiter: onChunk,
                                                    path: directory.path(of: name))
            } else {
                written = try FileSystem.copyContents(from: source, to: writer.descriptor, sizeHint: size, limiter: onChunk,
                                                      path: directory.path(of: name))
            }
            // In place, an old longer file must end where the new one does (holes are not "written").
            if options.inPlace { try FileSystem.truncate(writer.descriptor, to: options.sparse ? size : written, path: directory.path(of: name)) }
            // A source that shrank while it was copied gave us less than one whole version.
            let sizeNow = try FileSystem.status(of: source, path: directory.path(of: name)).size
            if (!options.sparse && written < size) || sizeNow < size {
                throw FileSystemError(operation: "read errors mapping", path: directory.path(of: name), errno: ENODATA)
            }
            try CancellationFlag.check()
            try writer.apply(attributes, createdWith: usableMode)
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

    /// The mode a new file is created with: its final mode when that has no set-id bits and
    /// the run's umask is 0 (so no chmod is needed later), else a private 0600.
    static func creationMode(for attributes: AttributeSet) -> UInt32 {
        guard FileSystem.currentUmask == 0, let mode = attributes.permissions, mode & 0o7000 == 0 else { return 0o600 }
        return mode
    }

    public func makeDirectory(_ name: [UInt8], in directory: DirectoryRef, permissions: UInt32) throws(FileSystemError) {
        try FileSystem.makeDirectory(name, in: directory.descriptor, mode: permissions, path: directory.path(of: name))
    }

    public func makeSymlink(_ name: [UInt8], in directory: DirectoryRef, target: [UInt8]) throws(FileSystemError) {
        try FileSystem.makeSymlink(name, in: directory.descriptor, target: target, path: directory.path(of: name))
    }

    public func makeNode(_ name: [UInt8], in directory: DirectoryRef, status: FileStatus) throws(FileSystemError) {
        try FileSystem.makeNode(name, in: directory.descriptor, mode: status.modeWithType, device: status.rdev,
                                path: directory.path(of: name))
    }

    public func makeHardLink(_ name: [UInt8], in directory: DirectoryRef, to existing: [UInt8], in existingDirectory: DirectoryRef) throws(FileSystemError) {
        try FileSystem.makeHardLink(name, in: directory.descriptor, to: existing, in: existingDirectory.descriptor,
                                    path: directory.path(of: name))
    }

    public func setAttributes(_ name: [UInt8], in directory: DirectoryRef, kind: FileKind, _ a: AttributeSet) throws(FileSystemError) {
        let fd = directory.descriptor
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

    public func setAttributes(of directory: DirectoryRef, _ a: AttributeSet) throws(FileSystemError) {
        let fd = directory.descriptor
        if a.uid != nil || a.gid != nil {
            try FileSystem.setOwner(of: fd, uid: a.uid, gid: a.gid, path: directory.displayPath)
        }
        if let mode = a.permissions { try FileSystem.setPermissions(of: fd, mode, path: directory.displayPath) }
        if a.mtime != nil || a.atime != nil {
            try FileSystem.setTimes(of: fd, access: a.atime, modification: a.mtime, path: directory.displayPath)
        }
    }

    public func remove(_ name: [UInt8], in directory: DirectoryRef, kind: FileKind,
                       removed: (_ relativePath: [UInt8], _ kind: FileKind) -> Void) throws(FileSystemError) {
        if kind != .directory {
            try FileSystem.remove(name, in: directory.descriptor, isDirectory: false, path: directory.path(of: name))
            removed(name, kind)
            return
        }
        try removeTree(name, relative: name, in: directory.descriptor, display: directory.path(of: name), removed: removed)
    }

    private func removeTree(_ name: [UInt8], relative: [UInt8], in parent: Int32, display: String,
                            removed: (_ relativePath: [UInt8], _ kind: FileKind) -> Void) throws(FileSystemError) {
        let fd = try FileSystem.openDirectory(name, in: parent, path: display)
        defer { FileSystem.close(fd) }
        var children = try FileSystem.readDirectoryNames(fd, rewind: false, path: display)
        children.sort { compareNames($0, $1) > 0 }
        for child in children {
            let childDisplay = display + "/" + DisplayPath.escape(child)
            let childRelative = DisplayPath.join(relative, child)
            let status = try FileSystem.linkStatus(child, in: fd, path: childDisplay)
            if status.kind == .directory {
                try removeTree(child, relative: childRelative, in: fd, display: childDisplay, removed: removed)
            } else {
                try FileSystem.remove(child, in: fd, isDirectory: false, path: childDisplay)
                removed(childRelative, status.kind)
            }
        }
        try FileSystem.remove(name, in: parent, isDirectory: true, path: display)
        removed(relative, .directory)
    }

    public func rename(_ name: [UInt8], in directory: DirectoryRef, to newName: [UInt8], in newDirectory: DirectoryRef) throws(FileSystemError) {
        try FileSystem.rename(name, in: directory.descriptor, to: newName, in: newDirectory.descriptor, path: directory.path(of: name))
    }
}
