import Synchronization
import SyncSystem

/// A directory a dry run "made": it does not exist, holds nothing, and everything opened
/// inside it is another one.
final class PlannedDirectory: DirectoryRef, @unchecked Sendable {
    override var exists: Bool { false }
}

/// `--dry-run` as a wrapper: reads go to the real backend, changes are reported as done and
/// not made. A directory that "was made" does not exist, so opening it gives a
/// ``PlannedDirectory`` whose listing is empty, and the engine plans its contents as new:
/// exactly what the real run would do. The engine has no `if dryRun` of its own.
public final class DryRunBackend: Backend {
    public let base: any Backend
    /// Directories "made" and not yet opened again, by display path.
    private let made = Mutex<Set<String>>([])

    public init(wrapping base: any Backend) { self.base = base }

    public var capabilities: BackendCapabilities { base.capabilities }
    public var name: String { base.name }

    public func openRoot(_ path: [UInt8], relativeTo anchor: DirectoryRef?, followSymlink: Bool) async throws -> DirectoryRef? {
        // Paths relative to a directory that is not there are taken from the working directory.
        try await base.openRoot(path, relativeTo: anchor?.exists == false ? nil : anchor, followSymlink: followSymlink)
    }

    public func makeRoot(_ path: [UInt8], relativeTo anchor: DirectoryRef?, parents: Bool) async throws -> DirectoryRef {
        if let existing = try? await openRoot(path, relativeTo: anchor, followSymlink: true) { return existing }
        return PlannedDirectory(displayPath: DisplayPath.escape(path))
    }

    public func status(of directory: DirectoryRef) async throws -> FileStatus {
        guard directory.exists else { throw FileSystemError(operation: "stat", path: directory.displayPath, errno: ENOENT) }
        return try await base.status(of: directory)
    }

    public func isSameDirectory(_ a: DirectoryRef, _ b: DirectoryRef) async throws -> Bool {
        guard a.exists && b.exists else { return a === b }
        return try await base.isSameDirectory(a, b)
    }

    public func openDirectory(_ name: [UInt8], in parent: DirectoryRef, followSymlink: Bool) async throws -> DirectoryRef? {
        let path = parent.path(of: name)
        guard parent.exists else { return PlannedDirectory(displayPath: path) }
        do {
            if let real = try await base.openDirectory(name, in: parent, followSymlink: followSymlink) { return real }
        } catch where wasMade(path) {
            // Made in place of a file that the dry run did not really remove.
            return PlannedDirectory(displayPath: path)
        }
        return wasMade(path) ? PlannedDirectory(displayPath: path) : nil
    }

    private func wasMade(_ path: String) -> Bool {
        made.withLock { $0.remove(path) != nil }
    }

    public func list(_ directory: DirectoryRef) async throws -> any DirectoryListing {
        directory.exists ? try await base.list(directory) : ArrayListing(sorted: [])
    }

    public func entry(_ name: [UInt8], in directory: DirectoryRef, followSymlink: Bool) async throws -> FileEntry? {
        directory.exists ? try await base.entry(name, in: directory, followSymlink: followSymlink) : nil
    }

    public func entry(atPath path: [UInt8], beneath root: DirectoryRef) async throws -> FileEntry? {
        root.exists ? try await base.entry(atPath: path, beneath: root) : nil
    }

    public func openFile(_ name: [UInt8], in directory: DirectoryRef, listed: FileEntry?) async throws -> any FileSource {
        guard directory.exists else { throw FileSystemError(operation: "open", path: directory.path(of: name), errno: ENOENT) }
        return try await base.openFile(name, in: directory, listed: listed)
    }

    public func openFile(atPath path: [UInt8], beneath root: DirectoryRef) async throws -> any FileSource {
        guard root.exists else { throw FileSystemError(operation: "open", path: root.path(of: path), errno: ENOENT) }
        return try await base.openFile(atPath: path, beneath: root)
    }

    /// Nothing is written, so nothing counts as literal data.
    public func putFile(_ name: [UInt8], in directory: DirectoryRef, from source: any FileSource,
                        attributes: AttributesForVersion, options: WriteOptions) async throws -> Int64 {
        0
    }

    public func putFileUsingBasis(_ name: [UInt8], in directory: DirectoryRef, basis: BasisFile?, from source: any FileSource,
                                  attributes: AttributesForVersion, options: WriteOptions) async throws -> (literal: Int64, matched: Int64) {
        (0, 0)
    }

    public func makeDirectory(_ name: [UInt8], in directory: DirectoryRef, permissions: UInt32) async throws {
        if directory.exists { made.withLock { _ = $0.insert(directory.path(of: name)) } }
    }

    public func makeSymlink(_ name: [UInt8], in directory: DirectoryRef, target: [UInt8]) async throws {}
    public func makeNode(_ name: [UInt8], in directory: DirectoryRef, status: FileStatus) async throws {}
    public func makeHardLink(_ name: [UInt8], in directory: DirectoryRef, toPath path: [UInt8], beneath root: DirectoryRef) async throws {}
    public func setAttributes(_ name: [UInt8], in directory: DirectoryRef, kind: FileKind, _ attributes: AttributeSet) async throws {}
    public func setAttributes(of directory: DirectoryRef, _ attributes: AttributeSet) async throws {}

    public func remove(_ name: [UInt8], in directory: DirectoryRef, kind: FileKind,
                       removed: (_ relativePath: [UInt8], _ kind: FileKind) -> Void) async throws {
        // Report what would go, deepest first, by walking the real tree.
        if kind == .directory, directory.exists, let dir = try await base.openDirectory(name, in: directory) {
            for child in try await base.entries(of: dir).reversed() {
                try await remove(child.name, in: dir, kind: child.kind) { path, k in removed(DisplayPath.join(name, path), k) }
            }
        }
        removed(name, kind)
    }

    public func rename(_ name: [UInt8], in directory: DirectoryRef, to newName: [UInt8], in newDirectory: DirectoryRef) async throws {}

    public func sameContents(_ entry: FileEntry, in directory: DirectoryRef, as other: any FileSource) async throws -> Bool? {
        directory.exists ? try await base.sameContents(entry, in: directory, as: other) : nil
    }
}

#if canImport(Glibc)
import Glibc
#endif
