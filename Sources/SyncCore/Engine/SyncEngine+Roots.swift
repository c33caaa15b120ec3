#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

extension SyncEngine {
    /// Resolves the SRC arguments and DEST as rsync does and builds the root directory node.
    ///
    /// `src/` (or `.`) sends the directory's contents, `src` sends the directory by name; DEST
    /// is a directory (created if missing, its parents too with `--mkpath`) unless a single
    /// file is copied to a name that is not an existing directory.
    func prepareRoots(sources: [String], destination destinationPath: String) -> DirectoryNode? {
        var rootEntries: [(DirectoryRef, FileEntry)] = []
        var contentsRoot: (DirectoryRef, FileEntry)?
        var anyDirectory = false
        for sourcePath in sources {
            let bytes = Array(sourcePath.utf8)
            let contents = sourcePath.hasSuffix("/") || sourcePath == "." || sourcePath.hasSuffix("/.")
            do {
                if contents || options.filesFrom != nil {
                    guard let dir = try source.openRoot(bytes, followSymlink: true) else {
                        reporter.error("change_dir \"\(absolute(sourcePath))\" failed: No such file or directory (2)")
                        continue
                    }
                    let status = try FileSystem.status(of: dir.descriptor, path: sourcePath)
                    anyDirectory = true
                    if contentsRoot == nil { contentsRoot = (dir, FileEntry(name: [UInt8(ascii: ".")], status: status)) }
                    let listed = options.filesFrom != nil ? filesFromEntries(in: dir) : try source.list(dir)
                    rootEntries += listed.map { (dir, $0) }
                } else {
                    let (parent, name) = split(bytes)
                    guard let parentDir = try source.openRoot(parent, followSymlink: true),
                          let entry = try source.entry(name, in: parentDir, followSymlink: false) else {
                        reporter.error("link_stat \"\(absolute(sourcePath))\" failed: No such file or directory (2)")
                        continue
                    }
                    if entry.kind == .directory { anyDirectory = true }
                    rootEntries.append((parentDir, entry))
                }
            } catch {
                reporter.error("\(error)")
            }
        }
        if rootEntries.isEmpty && contentsRoot == nil {
            return nil
        }
        // Keep the first of duplicate names, as rsync does; the merge wants them sorted.
        rootEntries.sort { compareNames($0.1.name, $1.1.name) < 0 }
        var unique: [(DirectoryRef, FileEntry)] = []
        for e in rootEntries where unique.last.map({ $0.1.name != e.1.name }) ?? true { unique.append(e) }

        // Where the destination directory is, and whether a single file gets a new name.
        let destinationBytes = Array(destinationPath.utf8)
        let destinationExisting = try? destination.openRoot(destinationBytes, followSymlink: true)
        let destinationIsDirectory = destinationExisting != nil || sources.count > 1 || anyDirectory
            || contentsRoot != nil || destinationPath.hasSuffix("/")
        var rename: (from: [UInt8], to: [UInt8])?
        let destinationRoot: DirectoryRef
        if destinationIsDirectory {
            if let existing = destinationExisting {
                destinationRoot = existing
            } else {
                guard let created = createDestination(destinationPath) else { return nil }
                destinationRoot = created
            }
        } else {
            let (parent, name) = split(destinationBytes)
            if options.makePath && ((try? destination.openRoot(parent, followSymlink: true)) ?? nil) == nil {
                _ = createDestination(String(decoding: parent, as: UTF8.self), announce: false)
            }
            guard let parentRef = (try? destination.openRoot(parent, followSymlink: true)) ?? nil else {
                reporter.fatalIO("change_dir#3 \"\(absolute(DisplayPath.escape(parent)))\" failed: No such file or directory (2)")
                return nil
            }
            destinationRoot = parentRef
            if let only = unique.first { rename = (only.1.name, name) }
        }

        let root = DirectoryNode(relativePath: [], parent: nil, sourceName: [], destinationName: [],
                                 sourceEntry: contentsRoot?.1, deleteAllowed: contentsRoot != nil && options.filesFrom == nil,
                                 isNew: destinationExisting == nil)
        root.rootSources = unique
        root.source = contentsRoot?.0 ?? unique.first?.0
        root.destination = destinationRoot
        root.rootRename = rename
        root.rootDevice = contentsRoot?.1.status.device ?? unique.first?.1.status.device
        if let tree = options.filesFrom.map({ FilesFromTree(paths: $0) }) { root.filesFrom = tree }
        if let (_, rootEntry) = contentsRoot {
            if destinationExisting == nil {
                reporter.changed(ItemizedChange(update: .localChange, kind: .directory, isNew: true), path: [])
                reporter.statistics.countCreated(.directory)
                root.finalAttributes = attributes(for: rootEntry, isNew: true)
            } else if destinationRoot.descriptor >= 0,
                      let status = try? FileSystem.status(of: destinationRoot.descriptor, path: destinationPath) {
                var change = ItemizedChange(update: .attributesOnly, kind: .directory)
                attributeChanges(&change, source: rootEntry, destination: FileEntry(name: [], status: status))
                reporter.changed(change, path: [])
                root.finalAttributes = attributesToFix(source: rootEntry, change: change)
            }
            if options.preserveTimes {
                root.finalAttributes.mtime = rootEntry.status.mtime
                root.mtimeAlreadyRight = destinationExisting != nil && root.finalAttributes.mtime != nil
                    && (try? FileSystem.status(of: destinationRoot.descriptor, path: destinationPath))
                        .map { QuickCheck.sameModificationTime($0.mtime, rootEntry.status.mtime, window: options.modifyWindow) } == true
            }
            reporter.statistics.countSource(.directory)
        }
        context.withLock { c in
            c.destinationRoot = destinationRoot
            c.alternateDestinations = openAlternates(relativeTo: destinationRoot)
            if let backup = options.backupDirectory {
                switch openOrCreate(backup, relativeTo: destinationRoot) {
                case .success(let ref): c.backupRoot = ref
                case .failure(let error): if !options.dryRun { c.backupRootFailure = error }
                }
            }
            if let partial = options.partialDirectory { c.partialDirectory = Array(partial.utf8) }
        }
        return root
    }

    /// The entries named by `--files-from` at the top of the source directory.
    private func filesFromEntries(in dir: DirectoryRef) -> [FileEntry] {
        let tree = FilesFromTree(paths: options.filesFrom ?? [])
        var result: [FileEntry] = []
        for name in tree.children.keys {
            do {
                if let entry = try source.entry(name, in: dir, followSymlink: false) {
                    result.append(entry)
                } else {
                    reporter.error("link_stat \"\(dir.path(of: name))\" failed: No such file or directory (2)")
                }
            } catch {
                reporter.error("\(error)")
            }
        }
        return result
    }

    /// Creates the missing destination directory (with `--mkpath`, its parents as well).
    private func createDestination(_ path: String, announce: Bool = true) -> DirectoryRef? {
        let bytes = Array(path.utf8)
        if options.dryRun {
            reporter.info("created directory \(trimmedDisplay(path))")
            return DirectoryRef(descriptor: -1, displayPath: path)
        }
        var prefix: [UInt8] = bytes.first == UInt8(ascii: "/") ? [UInt8(ascii: "/")] : []
        let components = bytes.split(separator: UInt8(ascii: "/"))
        for (index, component) in components.enumerated() {
            prefix += component
            let last = index == components.count - 1
            if last || options.makePath {
                do {
                    try FileSystem.makeDirectory(prefix, in: FileSystem.currentDirectory, mode: 0o755, path: DisplayPath.escape(prefix))
                    if last && announce { reporter.info("created directory \(trimmedDisplay(path))") }
                } catch where error.errno == EEXIST {
                } catch {
                    reporter.fatalIO("mkdir \"\(absolute(path))\" failed: \(error.reason)")
                    return nil
                }
            }
            prefix.append(UInt8(ascii: "/"))
        }
        do {
            let fd = try FileSystem.openDirectory(bytes, in: FileSystem.currentDirectory, followSymlink: true, path: path)
            return DirectoryRef(descriptor: fd, displayPath: path)
        } catch {
            reporter.fatalIO("\(error)")
            return nil
        }
    }

    private func openAlternates(relativeTo root: DirectoryRef) -> [(ref: DirectoryRef, link: Bool)] {
        var result: [(ref: DirectoryRef, link: Bool)] = []
        for (paths, link) in [(options.compareDest, false), (options.linkDest, true)] {
            for path in paths {
                let bytes = Array(path.utf8)
                let base = bytes.first == UInt8(ascii: "/") || root.descriptor < 0 ? FileSystem.currentDirectory : root.descriptor
                if let fd = try? FileSystem.openDirectory(bytes, in: base, followSymlink: true, path: path) {
                    result.append((DirectoryRef(descriptor: fd, displayPath: path), link))
                } else {
                    reporter.warning("--\(link ? "link" : "compare")-dest arg does not exist: \(path)")
                }
            }
        }
        return result
    }

    /// `--backup-dir`, created as needed. When it cannot be had, the reason is kept: every
    /// backup then fails with it, so no file is replaced or deleted without its backup.
    private func openOrCreate(_ path: String, relativeTo root: DirectoryRef) -> Result<DirectoryRef, FileSystemError> {
        let bytes = Array(path.utf8)
        let base = bytes.first == UInt8(ascii: "/") || root.descriptor < 0 ? FileSystem.currentDirectory : root.descriptor
        var prefix: [UInt8] = bytes.first == UInt8(ascii: "/") ? [UInt8(ascii: "/")] : []
        var mkdirFailure: FileSystemError?
        if !options.dryRun {
            for component in bytes.split(separator: UInt8(ascii: "/")) {
                prefix += component
                do {
                    try FileSystem.makeDirectory(prefix, in: base, mode: 0o755, path: String(decoding: prefix, as: UTF8.self))
                } catch where error.errno == EEXIST {
                    // There already (a directory, or what the open below refuses).
                } catch {
                    mkdirFailure = mkdirFailure ?? error
                }
                prefix.append(UInt8(ascii: "/"))
            }
        }
        do {
            let fd = try FileSystem.openDirectory(bytes, in: base, followSymlink: true, path: path)
            return .success(DirectoryRef(descriptor: fd, displayPath: path))
        } catch {
            let failure = mkdirFailure ?? error
            if !options.dryRun { reporter.error("cannot use backup directory \(path): \(failure)") }
            return .failure(failure)
        }
    }

    private func trimmedDisplay(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        return String(p)
    }

    /// `a/b/c` → (`a/b`, `c`); `c` → (`.`, `c`).
    func split(_ path: [UInt8]) -> ([UInt8], [UInt8]) {
        var trimmed = path
        while trimmed.count > 1 && trimmed.last == UInt8(ascii: "/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: UInt8(ascii: "/")) else { return ([UInt8(ascii: ".")], trimmed) }
        let parent = slash == 0 ? [UInt8(ascii: "/")] : Array(trimmed[..<slash])
        return (parent, Array(trimmed[(slash + 1)...]))
    }

    /// An absolute path for messages, as rsync prints them.
    func absolute(_ path: String) -> String { Self.absolute(path) }

    /// `path` made absolute against the working directory.
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let cwd = SystemProcess.currentDirectoryPath() else { return path }
        return (cwd == "/" ? "" : cwd) + "/" + path
    }
}
