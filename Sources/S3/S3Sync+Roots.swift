import AWSCore
import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// rsync's rules for what a path on the command line means, applied to S3 too: `dir/` is the
/// contents of dir, `dir` the directory itself (it lands as `DEST/dir/`), a file is one file
/// (renamed when DEST names a file rather than a directory). boto-rsync always means contents.
extension S3Sync {
    /// A command-line path that cannot be synced.
    struct PathError: Error, CustomStringConvertible {
        let description: String
    }

    func resolve(source: String, destination: String) async throws -> Roots {
        let (sourceSide, directoryName, singleName) = try await resolveSource(source)
        let destinationSide: Side
        var single: (source: [UInt8], destination: [UInt8])?
        if let singleName {
            let (side, name) = try await resolveSingleDestination(destination, name: singleName)
            destinationSide = side
            single = (singleName, name)
        } else {
            destinationSide = resolveTreeDestination(destination, directoryName: directoryName)
        }
        return Roots(source: sourceSide, destination: destinationSide, single: single,
                     creatableLevels: directoryName == nil ? 1 : 2)
    }

    /// The source side; the directory name it brings along (`dir` without a slash); the file
    /// name when it is one file.
    private func resolveSource(_ source: String) async throws -> (Side, String?, [UInt8]?) {
        let contentsOnly = transfer.boto?.sourceIsContents == true
        if let url = S3URL(source) {
            var key = url.key
            if let glob = transfer.boto?.glob, !glob.isEmpty, key.utf8.count >= glob.count { key = String(key.dropLast(glob.count)) }
            if key.isEmpty || key.hasSuffix("/") { return (.s3(bucket: url.bucket, prefix: key), nil, nil) }
            let (parent, name) = Self.split(key)
            if try await client.head(bucket: url.bucket, key: key) != nil {
                return (.s3(bucket: url.bucket, prefix: parent), nil, Array(name.utf8))
            }
            return (.s3(bucket: url.bucket, prefix: key + "/"), contentsOnly ? nil : name, nil)
        }
        var path = source
        if let glob = transfer.boto?.glob, !glob.isEmpty, path.utf8.count >= glob.count { path = String(path.dropLast(glob.count)) }
        if path.isEmpty { path = "." }
        let status = try FileSystem.status(Array(path.utf8), in: FileSystem.currentDirectory, path: path)
        if status.kind == .directory {
            let named = !contentsOnly && !path.hasSuffix("/") && path != "." && !path.hasSuffix("/.")
            return (.local(LocalTree(root: path)), named ? Self.split(path).name : nil, nil)
        }
        guard status.kind == .regular else {
            throw PathError(description: "skipping non-regular file \"\(path)\" (S3 holds regular files only)")
        }
        let (parent, name) = Self.split(path)
        return (.local(LocalTree(root: parent.isEmpty ? "." : parent)), nil, Array(name.utf8))
    }

    private func resolveTreeDestination(_ destination: String, directoryName: String?) -> Side {
        if let url = S3URL(destination) {
            var prefix = url.key
            if !prefix.isEmpty && !prefix.hasSuffix("/") { prefix += "/" }
            if let directoryName { prefix += directoryName + "/" }
            return .s3(bucket: url.bucket, prefix: prefix)
        }
        var root = destination
        if let directoryName { root = (root.hasSuffix("/") ? root : root + "/") + directoryName }
        return .local(LocalTree(root: root))
    }

    /// Where one file goes: into DEST when DEST is a directory (or ends in `/`), else as DEST.
    private func resolveSingleDestination(_ destination: String, name: [UInt8]) async throws -> (Side, [UInt8]) {
        if let url = S3URL(destination) {
            let key = url.key
            if key.isEmpty || key.hasSuffix("/") { return (.s3(bucket: url.bucket, prefix: key), name) }
            // An S3 "directory" is a prefix with keys below it.
            if try await client.hasKeys(bucket: url.bucket, prefix: key + "/") { return (.s3(bucket: url.bucket, prefix: key + "/"), name) }
            let (parent, last) = Self.split(key)
            return (.s3(bucket: url.bucket, prefix: parent), Array(last.utf8))
        }
        let status = try? FileSystem.status(Array(destination.utf8), in: FileSystem.currentDirectory, path: destination)
        if destination.hasSuffix("/") || status?.kind == .directory { return (.local(LocalTree(root: destination)), name) }
        let (parent, last) = Self.split(destination)
        return (.local(LocalTree(root: parent.isEmpty ? "." : parent)), Array(last.utf8))
    }

    /// `a/b/c` → (`a/b/`, `c`) for keys; the parent keeps its slash so that parent + name is the key.
    static func split(_ path: String) -> (parent: String, name: String) {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/") else { return ("", trimmed) }
        return (String(trimmed[...slash]), String(trimmed[trimmed.index(after: slash)...]))
    }

    /// One side as a flat tree. The source is filtered; the destination is all there is. For a
    /// single file only that name is looked at.
    func list(_ side: Side, role: LocalTree.Role, single: [UInt8]?, roots: Roots) async throws -> [FlatEntry] {
        var entries: [FlatEntry]
        switch side {
        case .local(let tree):
            if let single {
                let display = tree.root + "/" + DisplayPath.escape(single)
                let path = Array(tree.root.utf8) + [UInt8(ascii: "/")] + single
                // A file named on the command line is followed if it is a link; the destination's is taken as it is.
                let status = role == .source
                    ? try? FileSystem.status(path, in: FileSystem.currentDirectory, path: display)
                    : try? FileSystem.linkStatus(path, in: FileSystem.currentDirectory, path: display)
                guard let status else { return [] }
                let kind: FlatEntry.Kind = status.kind == .directory ? .directory : .file
                entries = [FlatEntry(path: kind == .directory ? single + [UInt8(ascii: "/")] : single, kind: kind,
                                     size: status.kind == .regular ? status.size : -1, mtime: status.mtime,
                                     changeTime: status.changeTime, permissions: status.permissions,
                                     followedSymlink: role == .source)]
            } else {
                entries = try tree.walk(role: role, options: options, reporter: reporter) ?? []
            }
        case .s3(let bucket, let prefix):
            if let single {
                guard let (object, _) = try await client.head(bucket: bucket, key: prefix + text(single)) else { return [] }
                return [FlatEntry(path: single, kind: .file, size: object.size, mtime: FileTime(seconds: object.lastModified), etag: object.etag)]
            }
            let objects = try await client.list(bucket: bucket, prefix: prefix).objects
            entries = FlatTree.fromObjects(objects, prefix: prefix) { entry in
                // What is downloaded must stay below the destination: `..` never escapes it.
                guard role == .source, roots.destination.isLocal, !entry.isSafeLocalPath else { return true }
                reporter.error("skipping s3://\(bucket)/\(prefix)\(entry.text): the key cannot be a local path (empty, . or .. in it)")
                return false
            }
            if role == .source { entries = FlatTree.applyingSenderFilters(entries, options: options) }
        }
        guard role == .source, let boto = transfer.boto else { return entries }
        return boto.select(entries)
    }
}

extension BotoStyle {
    /// `--glob` and `--ignore-empty` applied to a source tree.
    func select(_ entries: [FlatEntry]) -> [FlatEntry] {
        var selected = entries
        if let glob, !glob.isEmpty {
            let pattern = GlobPattern(glob)
            selected = selected.filter { $0.kind == .file && !$0.name.contains(UInt8(ascii: "/")) && pattern.matches($0.name) }
        }
        guard ignoreEmpty else { return selected }
        // Empty files go, and directories with no file below them.
        var keptDirectories = Set<[UInt8]>()
        for entry in selected where entry.kind == .file && entry.size > 0 {
            for i in entry.path.indices where entry.path[i] == UInt8(ascii: "/") { keptDirectories.insert(Array(entry.path[...i])) }
        }
        return selected.filter { $0.kind == .file ? $0.size > 0 : keptDirectories.contains($0.path) }
    }
}
