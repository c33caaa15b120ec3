import SyncSystem
/// `--dry-run` as a wrapper: reads go to the real backend, changes are reported as done and
/// not made. A directory that "was created" does not exist, so opening it gives `nil` and the
/// engine plans its contents as new, exactly what the real run would do.
public struct DryRunBackend: Backend {
    public let base: any Backend

    public init(wrapping base: any Backend) { self.base = base }

    public var capabilities: BackendCapabilities { base.capabilities }

    public func openRoot(_ path: [UInt8], followSymlink: Bool) throws(FileSystemError) -> DirectoryRef? {
        try base.openRoot(path, followSymlink: followSymlink)
    }

    public func openDirectory(_ name: [UInt8], in parent: DirectoryRef) throws(FileSystemError) -> DirectoryRef? {
        // A "created" parent does not exist: nothing below it does either.
        if parent.descriptor < 0 { return nil }
        return try base.openDirectory(name, in: parent)
    }

    public func list(_ directory: DirectoryRef) throws(FileSystemError) -> [FileEntry] {
        directory.descriptor < 0 ? [] : try base.list(directory)
    }

    public func entry(_ name: [UInt8], in directory: DirectoryRef, followSymlink: Bool) throws(FileSystemError) -> FileEntry? {
        directory.descriptor < 0 ? nil : try base.entry(name, in: directory, followSymlink: followSymlink)
    }

    public func openRegularFile(_ name: [UInt8], in directory: DirectoryRef) throws(FileSystemError) -> (descriptor: Int32, status: FileStatus) {
        try base.openRegularFile(name, in: directory)
    }

    public func writeFile(_ name: [UInt8], in directory: DirectoryRef, from source: Int32, size: Int64,
                          attributes: AttributeSet, options: WriteOptions, onChunk: (Int) -> Bool) throws -> Int64 {
        size
    }

    public func writeFileUsingBasis(_ name: [UInt8], in directory: DirectoryRef, basis: BasisFile?, from source: Int32, size: Int64,
                                    attributes: AttributeSet, options: WriteOptions) throws -> (literal: Int64, matched: Int64) {
        (0, 0)
    }

    public func makeDirectory(_ name: [UInt8], in directory: DirectoryRef, permissions: UInt32) throws(FileSystemError) {}
    public func makeSymlink(_ name: [UInt8], in directory: DirectoryRef, target: [UInt8]) throws(FileSystemError) {}
    public func makeNode(_ name: [UInt8], in directory: DirectoryRef, status: FileStatus) throws(FileSystemError) {}
    public func makeHardLink(_ name: [UInt8], in directory: DirectoryRef, to existing: [UInt8], in existingDirectory: DirectoryRef) throws(FileSystemError) {}
    public func setAttributes(_ name: [UInt8], in directory: DirectoryRef, kind: FileKind, _ attributes: AttributeSet) throws(FileSystemError) {}
    public func setAttributes(of directory: DirectoryRef, _ attributes: AttributeSet) throws(FileSystemError) {}

    public func remove(_ name: [UInt8], in directory: DirectoryRef, kind: FileKind,
                       removed: (_ relativePath: [UInt8], _ kind: FileKind) -> Void) throws(FileSystemError) {
        // Report what would go, deepest first, by walking the real tree.
        if kind == .directory, directory.descriptor >= 0, let dir = try base.openDirectory(name, in: directory) {
            for child in try base.list(dir).reversed() {
                try remove(child.name, in: dir, kind: child.kind) { path, k in removed(DisplayPath.join(name, path), k) }
            }
        }
        removed(name, kind)
    }

    public func rename(_ name: [UInt8], in directory: DirectoryRef, to newName: [UInt8], in newDirectory: DirectoryRef) throws(FileSystemError) {}
}
