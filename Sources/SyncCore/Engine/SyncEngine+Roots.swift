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
    func prepareRoots(sources: [String], destination destinationPath: String) async -> DirectoryNode? {
        let resolved = options.relative ? await resolveRelativeSources(sources) : await resolveSources(sources)
        let rootEntries = resolved.rootEntries, contentsRoot = resolved.contentsRoot, anyDirectory = resolved.anyDirectory
        if rootEntries.isEmpty && contentsRoot == nil {
            // rsync still makes DEST for a directory it skipped (no -r or -d).
            if resolved.skippedDirectory {
                let existing = (try? await destination.openRoot(Array(destinationPath.utf8), followSymlink: true)) ?? nil
                if existing == nil { _ = await createDestination(destinationPath) }
            }
            return nil
        }
        context.withLock { $0.senderPaths = resolved.senderPaths }
        // Keep the first of duplicate names, as rsync does; the merge wants them in key order.
        var seen = Set<[UInt8]>()
        var unique = rootEntries.filter { seen.insert($0.1.name).inserted }
        unique.sort { FileEntry.keyOrder($0.1, $1.1) < 0 }

        // Where the destination directory is, and whether a single file gets a new name.
        let destinationBytes = Array(destinationPath.utf8)
        let destinationExisting = (try? await destination.openRoot(destinationBytes, followSymlink: true)) ?? nil
        let destinationIsDirectory = destinationExisting != nil || sources.count > 1 || anyDirectory || resolved.forcesDirectory
            || contentsRoot != nil || destinationPath.hasSuffix("/")
        var rename: (from: [UInt8], to: [UInt8])?
        let destinationRoot: DirectoryRef
        if destinationIsDirectory {
            if let existing = destinationExisting {
                destinationRoot = existing
            } else {
                guard let created = await createDestination(destinationPath) else { return nil }
                destinationRoot = created
            }
        } else {
            let (parent, name) = split(destinationBytes)
            // The parent as a directory (a trailing slash: an S3 prefix needs no keys to be one).
            let parentDirectory = parent.last == UInt8(ascii: "/") ? parent : parent + [UInt8(ascii: "/")]
            var parentRef = (try? await destination.openRoot(parentDirectory, followSymlink: true)) ?? nil
            if options.makePath && parentRef == nil {
                parentRef = await createDestination(String(decoding: parent, as: UTF8.self), announce: false)
            }
            guard let parentRef else {
                reporter.fatalIO("change_dir#3 \"\(absolute(DisplayPath.escape(parent)))\" failed: No such file or directory (2)")
                return nil
            }
            destinationRoot = parentRef
            if let only = unique.first { rename = (only.1.name, name) }
        }

        let root = DirectoryNode(relativePath: [], parent: nil, sourceName: [], destinationName: [],
                                 sourceEntry: contentsRoot?.1, deleteAllowed: resolved.rootIsWhole, isNew: destinationExisting == nil)
        if !(sources.count == 1 && contentsRoot != nil && resolved.tree == nil) { root.rootSources = unique }
        root.source = contentsRoot?.0 ?? unique.first?.0
        root.destination = destinationRoot
        root.rootRename = rename
        root.rootDevice = contentsRoot?.1.status.device ?? unique.first?.1.status.device
        root.filesFrom = resolved.tree
        if let (_, rootEntry) = contentsRoot {
            let existingStatus = destinationExisting == nil ? nil : try? await destination.status(of: destinationRoot)
            if destinationExisting == nil {
                reportCreatedDirectory(path: [], status: rootEntry.status)
                root.finalAttributes = attributes(for: rootEntry, isNew: true)
            } else if let status = existingStatus {
                var change = ItemizedChange(update: .attributesOnly, kind: .directory)
                attributeChanges(&change, source: rootEntry, destination: FileEntry(name: [], status: status))
                reportDirectory(change, path: [], status: rootEntry.status)
                root.finalAttributes = attributesToFix(source: rootEntry, change: change)
            }
            if options.preservesTimes(of: .directory) && sourceHasDirectories {
                root.finalAttributes.mtime = rootEntry.status.mtime
                root.mtimeAlreadyRight = existingStatus.map {
                    QuickCheck.sameModificationTime($0.mtime, rootEntry.status.mtime, window: options.modifyWindow)
                } == true
            }
            reporter.statistics.countSource(.directory)
        }
        let alternates = await openAlternates(relativeTo: destinationRoot)
        let backup = await options.backupDirectory.asyncMap { await openOrCreate($0, relativeTo: destinationRoot) }
        context.withLock { c in
            c.destinationRoot = destinationRoot
            c.alternateDestinations = alternates
            switch backup {
            case .success(let ref): c.backupRoot = ref
            case .failure(let error): c.backupRootFailure = error
            case nil: break
            }
            if let partial = options.partialDirectory { c.partialDirectory = Array(partial.utf8) }
        }
        return root
    }

    /// What the SRC arguments name: the entries at the top of the transfer, and the directory
    /// whose contents are copied (`SRC/`), if any.
    struct ResolvedSources {
        var rootEntries: [(DirectoryRef, FileEntry)] = []
        var contentsRoot: (DirectoryRef, FileEntry)?
        var anyDirectory = false
        var senderPaths = SenderPaths()
        /// The paths the walk is kept to (`--files-from`, `-R`).
        var tree: FilesFromTree?
        /// The root is a whole directory of the source, so its extras may be deleted.
        var rootIsWhole = false
        /// `-R` keeps a path with directories in it: the destination is a directory.
        var forcesDirectory = false
        /// A `SRC/` was skipped: without -r or -d its contents are not copied.
        var skippedDirectory = false
    }

    /// rsync's SRC arguments: `src/` (or `.`) sends the directory's contents, `src` the
    /// directory by name.
    func resolveSources(_ sources: [String]) async -> ResolvedSources {
        var rootEntries: [(DirectoryRef, FileEntry)] = []
        var contentsRoot: (DirectoryRef, FileEntry)?
        var anyDirectory = false
        var senderPaths = SenderPaths()
        var skippedDirectory = false
        for sourcePath in sources {
            let bytes = Array(sourcePath.utf8)
            let contents = sourcePath.hasSuffix("/") || sourcePath == "." || sourcePath.hasSuffix("/.")
            do {
                if contents && !options.recursive && !options.dirs && !options.sendsContentsWithoutRecursion && options.filesFrom == nil {
                    // As rsync: without -r or -d a directory's contents are not sent.
                    reporter.notice("skipping directory .")
                    skippedDirectory = true
                    continue
                }
                if contents || options.filesFrom != nil {
                    guard let dir = try await source.openRoot(bytes, followSymlink: true) else {
                        reporter.error("change_dir \"\(absolute(sourcePath))\" failed: No such file or directory (2)")
                        continue
                    }
                    let status = try await source.status(of: dir)
                    anyDirectory = true
                    if contentsRoot == nil { contentsRoot = (dir, FileEntry(name: [UInt8(ascii: ".")], status: status)) }
                    // One source's contents are listed by the walk itself (a streamed listing
                    // then reads the root's part as it goes); several are gathered here.
                    if sources.count > 1 || options.filesFrom != nil {
                        let listed = options.filesFrom != nil ? await filesFromEntries(in: dir) : try await source.entries(of: dir)
                        rootEntries += listed.map { (dir, $0) }
                        for entry in listed where senderPaths.parents[entry.name] == nil {
                            senderPaths.parents[entry.name] = SenderPaths.clean(bytes)
                        }
                        if senderPaths.rootDirectory == nil { senderPaths.rootDirectory = SenderPaths.clean(bytes) }
                    }
                    if sources.count == 1 { senderPaths = SenderPaths(contentsOf: sourcePath) }
                } else {
                    let (parent, name) = split(bytes)
                    guard let parentDir = try await source.openRoot(parent, followSymlink: true),
                          let entry = try await source.entry(name, in: parentDir, followSymlink: false) else {
                        reporter.error("link_stat \"\(absolute(sourcePath))\" failed: No such file or directory (2)")
                        continue
                    }
                    if entry.kind == .directory { anyDirectory = true }
                    rootEntries.append((parentDir, entry))
                    if senderPaths.parents[entry.name] == nil { senderPaths.add(name: entry.name, from: sourcePath) }
                }
            } catch {
                reporter.error("\(error)")
            }
        }
        var resolved = ResolvedSources(rootEntries: rootEntries, contentsRoot: contentsRoot, anyDirectory: anyDirectory,
                                       senderPaths: senderPaths)
        resolved.tree = options.filesFrom.map { FilesFromTree(paths: $0) }
        resolved.skippedDirectory = skippedDirectory
        resolved.rootIsWhole = contentsRoot != nil && options.filesFrom == nil
        return resolved
    }

    /// The entries named by `--files-from` at the top of the source directory.
    private func filesFromEntries(in dir: DirectoryRef) async -> [FileEntry] {
        let tree = FilesFromTree(paths: options.filesFrom ?? [])
        var result: [FileEntry] = []
        for name in tree.children.keys {
            do {
                if let entry = try await source.entry(name, in: dir, followSymlink: false) {
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
    private func createDestination(_ path: String, announce: Bool = true) async -> DirectoryRef? {
        do {
            let created = try await destination.makeRoot(Array(path.utf8), relativeTo: nil, parents: options.makePath)
            // An object store makes no directory: there is nothing to announce.
            if announce && destination.capabilities.contains(.directories) { reporter.info("created directory \(trimmedDisplay(path))") }
            return created
        } catch let error as FileSystemError where error.operation == "mkdir" {
            reporter.fatalIO("mkdir \"\(absolute(path))\" failed: \(error.reason)")
        } catch {
            reporter.fatalIO("\(error)")
        }
        return nil
    }

    private func openAlternates(relativeTo root: DirectoryRef) async -> [(ref: DirectoryRef, kind: SyncOptions.AlternateKind)] {
        var result: [(ref: DirectoryRef, kind: SyncOptions.AlternateKind)] = []
        for (paths, kind) in options.alternateDestinations {
            for path in paths {
                if let ref = (try? await destination.openRoot(Array(path.utf8), relativeTo: root, followSymlink: true)) ?? nil {
                    result.append((ref, kind))
                } else {
                    reporter.warning("--\(kind.rawValue)-dest arg does not exist: \(path)")
                }
            }
        }
        return result
    }

    /// `--backup-dir`, created as needed. When it cannot be had, the reason is kept: every
    /// backup then fails with it, so no file is replaced or deleted without its backup.
    private func openOrCreate(_ path: String, relativeTo root: DirectoryRef) async -> Result<DirectoryRef, FileSystemError> {
        do {
            return .success(try await destination.makeRoot(Array(path.utf8), relativeTo: root, parents: true))
        } catch {
            let failure = error as? FileSystemError ?? FileSystemError(operation: "mkdir", path: path, errno: EIO)
            reporter.error("cannot use backup directory \(path): \(failure)")
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
