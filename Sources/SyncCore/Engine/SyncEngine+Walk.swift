#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

extension SyncEngine {
    /// Lists one directory on both sides, plans it, and acts: deletions, directories,
    /// symlinks, devices and attribute fixes inline; regular files to the transfer queue.
    func walk(_ node: DirectoryNode) async {
        await walkContents(of: node)
        await release(node)
    }

    private func walkContents(of node: DirectoryNode) async {
        if CancellationFlag.isSet { workList.cancel(); return }
        guard await openHandles(of: node), let dst = node.destination else { return }
        if let rename = node.rootRename, let (directory, entry) = node.rootSources?.first {
            // One file to a new name: it meets what the destination has under that name (a
            // merge by the source's name would compare it with another file).
            let existing = (try? await destination.entry(rename.to, in: dst, followSymlink: false)) ?? nil
            await handle(entry, from: directory, existing: existing, in: node, destinationDirectory: dst)
            return
        }
        if walksInKeyOrder {
            await walkStreamed(node, destinationDirectory: dst)
            return
        }

        // The listings: the root may gather entries from several source directories.
        var sourceEntries: [FileEntry]
        if let roots = node.rootSources {
            sourceEntries = roots.map { $0.1 }
        } else if let src = node.source {
            do {
                sourceEntries = try await source.entries(of: src)
            } catch {
                reporter.error("\(error)")
                return
            }
        } else {
            return
        }
        if let only = node.filesFrom, !only.includesContents, node.rootSources == nil {
            sourceEntries.removeAll { only.children[$0.name] == nil }
        }
        var destinationEntries: [FileEntry]
        var deleteAllowed = node.deleteAllowed && options.delete != nil
        do {
            // A directory this run made holds nothing to compare with or delete: not listed
            // (on S3, a request saved per new directory).
            destinationEntries = node.isNew ? [] : try await destination.entries(of: dst)
        } catch {
            reporter.error("\(error)")
            destinationEntries = []
            deleteAllowed = false
        }
        let plan = DirectoryPlanner.plan(source: sourceEntries, destination: destinationEntries,
                                         rules: DirectoryRules(directory: node.relativePath, filters: options.filters,
                                                               deleteAllowed: deleteAllowed),
                                         matchesAcrossKinds: matchesAcrossKinds, checksSourceConflicts: checksSourceConflicts)
        for conflict in plan.conflicts { reportConflict(sourceEntries[conflict], in: node) }
        if !plan.deletions.isEmpty {
            // rsync deletes in the reverse of its file-list order (which --max-delete makes visible).
            let deletions = plan.deletions.map { destinationEntries[$0] }.sorted(by: rsyncOrder)
            await deleteExtraneous(deletions.reversed(), in: node, destinationDirectory: dst)
        }
        if let hardLinks {
            // rsync's choice of the name that carries the data: the first of the group (in name
            // order) that already exists at the destination, else the last one.
            var groups: [HardLinkRegistry.Key: (first: Int?, last: Int)] = [:]
            for item in plan.items {
                let e = sourceEntries[item.source]
                guard e.kind == .regular && e.status.linkCount > 1 else { continue }
                let key = HardLinkRegistry.Key(device: e.status.device, inode: e.status.inode)
                var g = groups[key] ?? (nil, item.source)
                g.last = item.source
                if g.first == nil, let d = item.destination, destinationEntries[d].kind == .regular { g.first = item.source }
                groups[key] = g
            }
            for (_, g) in groups {
                let e = sourceEntries[g.first ?? g.last]
                hardLinks.prefer(e.status, path: node.path(of: node.destinationName(for: e.name)))
            }
        }
        for item in plan.items {
            if CancellationFlag.isSet { workList.cancel(); return }
            let entry = sourceEntries[item.source]
            await handle(entry, from: sourceDirectory(of: entry, in: node), existing: item.destination.map { destinationEntries[$0] },
                         in: node, destinationDirectory: dst)
        }
    }

    /// The walk of a streamed listing: one directory at a time, in key order, each
    /// subdirectory walked inline where it comes (see ``BackendCapabilities/streamedListing``),
    /// so the listing is read once, front to back, and only the directories on the path from
    /// the root are held.
    private func walkStreamed(_ node: DirectoryNode, destinationDirectory dst: DirectoryRef) async {
        let sourceListing: any DirectoryListing
        if let roots = node.rootSources {
            sourceListing = ArrayListing(sorted: roots.map { $0.1 })
        } else if let src = node.source {
            do {
                sourceListing = try await source.list(src)
            } catch {
                reporter.error("\(error)")
                return
            }
        } else {
            return
        }
        var deleteAllowed = node.deleteAllowed && options.delete != nil
        let destinationListing: any DirectoryListing
        do {
            destinationListing = node.isNew ? ArrayListing(sorted: []) : try await destination.list(dst)
        } catch {
            reporter.error("\(error)")
            destinationListing = ArrayListing(sorted: [])
            deleteAllowed = false
        }
        let rules = DirectoryRules(directory: node.relativePath, filters: options.filters, deleteAllowed: deleteAllowed)
        let restriction = node.rootSources == nil ? node.filesFrom.flatMap { $0.includesContents ? nil : $0 } : nil
        var deletions: [FileEntry] = []
        do {
            try await ListingMerge.run(source: sourceListing, destination: destinationListing, matchesAcrossKinds: matchesAcrossKinds,
                                       checksSourceConflicts: checksSourceConflicts) { outcome in
                if CancellationFlag.isSet { throw SyncInterrupted() }
                switch outcome {
                case .conflict(let entry):
                    reportConflict(entry, in: node)
                case .pair(var pair):
                    if let only = restriction, let s = pair.source, only.children[s.name] == nil { pair.source = nil }
                    let decision = rules.decide(pair)
                    if let deletion = decision.deletion {
                        // A directory goes while the listing stands at it (a stream then reads
                        // what is below it once); files go together at the end.
                        if deletion.kind == .directory {
                            await deleteExtraneous([deletion], in: node, destinationDirectory: dst)
                        } else {
                            deletions.append(deletion)
                        }
                    }
                    if let (s, d) = decision.send {
                        await handle(s, from: sourceDirectory(of: s, in: node), existing: d, in: node, destinationDirectory: dst)
                    }
                }
            }
        } catch is SyncInterrupted {
            workList.cancel()
            return
        } catch {
            reporter.error("\(error)")
            return
        }
        if !deletions.isEmpty {
            await deleteExtraneous(deletions.sorted(by: rsyncOrder).reversed(), in: node, destinationDirectory: dst)
        }
    }

    /// `--delete`'s removals in one directory, now or (`--delete-after`) once everything is sent.
    private func deleteExtraneous(_ entries: [FileEntry], in node: DirectoryNode, destinationDirectory dst: DirectoryRef) async {
        node.markContentsChanged()
        if options.delete == .after {
            let mtime = options.preservesTimes(of: .directory) && sourceHasDirectories ? (node.sourceEntry?.status.mtime) : nil
            lateDeletions.withLock { $0.append((node.relativePath, entries, mtime)) }
            return
        }
        for entry in entries { await delete(entry, in: dst, directoryPath: node.relativePath) }
    }

    /// The source directory a source entry of `node` is in (the root gathers several).
    private func sourceDirectory(of entry: FileEntry, in node: DirectoryNode) -> DirectoryRef {
        node.rootSourceDirectories?[entry.name] ?? node.source!
    }

    /// A source name that is a file and a directory at once, which the destination cannot
    /// hold: rsync's error for it, and both left alone on both sides.
    private func reportConflict(_ entry: FileEntry, in node: DirectoryNode) {
        let at = (node.source ?? node.rootSourceDirectories?[entry.name]).map { $0.path(of: entry.name) } ?? DisplayPath.escape(entry.name)
        reporter.error("name conflict at \(at): the source holds both a file and a directory of that name, "
                       + "which the destination (\(destination.name)) cannot hold; both left as they are")
    }

    /// Whether `name` is one name in a directory: not empty, not `.` or `..`, no `/` or NUL.
    static func isPlainName(_ name: [UInt8]) -> Bool {
        if name.isEmpty || name.contains(UInt8(ascii: "/")) || name.contains(0) { return false }
        let dot = UInt8(ascii: ".")
        return !(name.count == 1 && name[0] == dot) && !(name.count == 2 && name[0] == dot && name[1] == dot)
    }

    /// Opens the node's source and destination directories (the root's are already open).
    func openHandles(of node: DirectoryNode) async -> Bool {
        guard let parent = node.parent else { return true }
        guard let parentSource = node.sourceParent ?? parent.source, let parentDestination = parent.destination else { return false }
        // Destination first: even when the source cannot be read, the directory made for it
        // gets its attributes at the end.
        do {
            guard let dst = try await destination.openDirectory(node.destinationName, in: parentDestination) else {
                reporter.error("opendir \"\(parentDestination.path(of: node.destinationName))\" failed: No such file or directory (2)")
                return false
            }
            node.destination = dst
        } catch {
            reporter.error("\(error)")
            return false
        }
        do {
            guard let src = try await source.openDirectory(node.sourceName, in: parentSource,
                                                           followSymlink: node.sourceEntry?.followsSymlink ?? false) else {
                reporter.vanished(parentSource.path(of: node.sourceName))
                return false
            }
            node.source = src
        } catch {
            reporter.error("\(error)")
            return false
        }
        return true
    }

    /// Decides and does what one source entry needs.
    /// `unmunged`: the entry is a symlink whose `--munge-links` prefix was taken off already.
    func handle(_ entry: FileEntry, from srcDir: DirectoryRef, existing: FileEntry?, in node: DirectoryNode,
                destinationDirectory dst: DirectoryRef, unmunged: Bool = false) async {
        let name = node.destinationName(for: entry.name)
        let path = node.path(of: name)
        guard Self.isPlainName(entry.name) else {
            // A name a remote source made up ("", ".", "..", or with "/" or NUL in it) could
            // reach outside the destination: never used.
            reporter.error("skipping \(srcDir.path(of: entry.name)): the name cannot be a local path (empty, . or .. in it)")
            return
        }
        if entry.kind == .symlink && !options.copyLinks, let target = entry.linkTarget {
            // rsync's order: the sender follows an unsafe link as read (munged or not), then
            // sends the target unmunged; the receiver leaves out what is still unsafe.
            if options.copyUnsafeLinks && SymlinkSafety.isUnsafe(target: target, at: path) {
                await handleFollowingLink(entry, from: srcDir, existing: existing, in: node, destinationDirectory: dst)
                return
            }
            if options.mungeLinks && !unmunged, let plain = SymlinkSafety.unmunged(target) {
                var sent = entry
                sent.linkTarget = plain
                await handle(sent, from: srcDir, existing: existing, in: node, destinationDirectory: dst, unmunged: true)
                return
            }
            if options.safeLinks && !options.copyUnsafeLinks && SymlinkSafety.isUnsafe(target: target, at: path) {
                reporter.verbose("ignoring unsafe symlink \"\(DisplayPath.escape(path))\" -> \"\(DisplayPath.escape(target))\"")
                return
            }
        }
        if entry.kind == .symlink && !options.copyLinks && !destinationKeepsSymlinks {
            // Nothing to make it as (S3): said once per link; -L copies what it points to.
            reporter.warning("skipping symlink \"\(srcDir.path(of: entry.name))\" (\(destination.name) has none; -L copies what it points to)")
            return
        }
        if entry.kind == .symlink && options.copyLinks {
            await handleFollowingLink(entry, from: srcDir, existing: existing, in: node, destinationDirectory: dst)
            return
        }
        switch entry.kind {
        case .directory:
            guard options.recursive || options.dirs || node.filesFrom != nil else {
                reporter.notice("skipping directory " + DisplayPath.escape(path))
                return
            }
        case .symlink:
            guard options.preserveLinks else {
                reporter.notice("skipping non-regular file \"\(DisplayPath.escape(path))\"")
                return
            }
        case .blockDevice, .characterDevice:
            guard options.preserveDevices && destinationKeepsSpecialFiles else {
                reporter.notice("skipping non-regular file \"\(DisplayPath.escape(path))\"")
                return
            }
        case .fifo, .socket:
            guard options.preserveSpecials && destinationKeepsSpecialFiles else {
                reporter.notice("skipping non-regular file \"\(DisplayPath.escape(path))\"")
                return
            }
        case .regular:
            break
        }
        reporter.statistics.countSource(entry.kind)
        if entry.kind == .regular {
            reporter.statistics.add(.totalFileSize, entry.status.size)
            // Outside --min-size/--max-size: listed (and so never deleted), not transferred.
            if options.filters.skipsSize(entry.status.size) { return }
        }
        if entry.kind == .symlink { reporter.statistics.add(.totalFileSize, Int64(entry.linkTarget?.count ?? 0)) }

        if let e = existing, e.kind == entry.kind, e.kind != .directory, options.ignoreExisting {
            if e.kind == .regular { reporter.skipped(path: path, .exists) }
            return
        }
        var replaced = false
        if let e = existing, e.kind != entry.kind {
            // Make way: the old item of another type goes first.
            if options.ignoreExisting {
                // rsync leaves it and then fails to look inside the "directory".
                if entry.kind == .directory {
                    reporter.error("recv_generator: failed to stat \"\(dst.path(of: name))\": Not a directory (20)")
                    // ...and, like rsync's end-of-run directory pass, still sets the time on that path.
                    if options.preservesTimes(of: .directory) {
                        try? await destination.setAttributes(name, in: dst, kind: e.kind, AttributeSet(mtime: entry.status.mtime))
                    }
                }
                return
            }
            if entry.kind == .directory && isUnsentImpliedDirectory(entry.name, in: node) {
                // -R --no-implied-dirs keeps the destination's path as it is: rsync 3.5.0 will not
                // replace it (nor follow a symlink there) and skips what is below.
                let reason = e.kind == .symlink ? "Too many levels of symbolic links (40)" : "File exists (17)"
                reporter.error("recv_generator: mkdir \"\(dst.path(of: name))\" failed: \(reason)")
                return
            }
            guard await makeWay(for: entry, replacing: e, name: name, in: dst, node: node) else { return }
            node.markContentsChanged()
            replaced = true
        }
        if existing == nil && options.existingOnly { return }
        let current = replaced ? nil : existing

        switch entry.kind {
        case .directory:
            await descend(into: entry, from: srcDir, name: name, existing: current, node: node, destinationDirectory: dst)
        case .regular:
            await handleRegular(entry, from: srcDir, name: name, existing: current, node: node, destinationDirectory: dst)
        case .symlink:
            await handleSymlink(entry, from: srcDir, name: name, existing: current, node: node, destinationDirectory: dst)
        default:
            await handleSpecial(entry, name: name, existing: current, node: node, destinationDirectory: dst)
        }
    }

    /// `-L` (every symlink) or `--copy-unsafe-links` (an unsafe one): what the link points to,
    /// handled in its place (stat follows, so never a symlink again).
    private func handleFollowingLink(_ entry: FileEntry, from srcDir: DirectoryRef, existing: FileEntry?, in node: DirectoryNode,
                                     destinationDirectory dst: DirectoryRef) async {
        do {
            guard let target = try await source.entry(entry.name, in: srcDir, followSymlink: true) else {
                let message = "symlink has no referent: \"\(srcDir.path(of: entry.name))\""
                if options.danglingSymlinksWarn { reporter.warning(message) } else { reporter.error(message) }
                return
            }
            var followed = FileEntry(name: entry.name, status: target.status)
            followed.followsSymlink = true
            guard followed.kind != .symlink else { return }
            await handle(followed, from: srcDir, existing: existing, in: node, destinationDirectory: dst)
        } catch {
            reporter.error("\(error)")
        }
    }

    /// Removes an item of another type where a new one must go. A non-empty directory is only
    /// removed with `--delete` or `--force`, as in rsync.
    func makeWay(for entry: FileEntry, replacing old: FileEntry, name: [UInt8], in dst: DirectoryRef, node: DirectoryNode) async -> Bool {
        let path = node.path(of: name)
        if old.kind == .directory && options.delete == nil && !options.force {
            // Without --delete or --force rsync only removes an empty directory in the way.
            var isEmpty = true
            if let dir = (try? await destination.openDirectory(name, in: dst)) ?? nil {
                isEmpty = (try? await destination.list(dir).next()).map { $0 == nil } ?? false
            }
            guard isEmpty else {
                reporter.error("cannot delete non-empty directory: \(DisplayPath.escape(path))")
                reporter.error("could not make way for new \(kindWord(entry.kind)): \(DisplayPath.escape(path))")
                return false
            }
        }
        if options.backup && old.kind != .directory {
            return await makeBackup(name: name, in: dst, directoryPath: node.relativePath) != nil
        }
        do {
            try await destination.remove(name, in: dst, kind: old.kind) { relative, kind in
                // rsync reports what was inside a replaced directory, not the directory itself.
                if relative != name { reporter.deleted(path: node.path(of: relative), kind: kind) }
            }
        } catch {
            reporter.error("\(error)")
            reporter.error("could not make way for new \(kindWord(entry.kind)): \(DisplayPath.escape(path))")
            return false
        }
        return true
    }

    func kindWord(_ kind: FileKind) -> String {
        switch kind {
        case .regular: "regular file"
        case .directory: "directory"
        case .symlink: "symlink"
        case .blockDevice, .characterDevice: "device"
        case .fifo, .socket: "special file"
        }
    }

    // MARK: Directories

    func descend(into entry: FileEntry, from srcDir: DirectoryRef, name: [UInt8], existing: FileEntry?, node: DirectoryNode,
                 destinationDirectory dst: DirectoryRef) async {
        let path = node.path(of: name)
        var change = ItemizedChange(update: .localChange, kind: .directory, isNew: existing == nil)
        // -R --no-implied-dirs: a directory only on the way to a kept path is not sent.
        let unsent = isUnsentImpliedDirectory(entry.name, in: node)
        if existing == nil {
            node.markContentsChanged()
            do {
                try await destination.makeDirectory(name, in: dst, permissions: 0o700)
                if itemizesDirectories && !unsent { reporter.statistics.countCreated(.directory) }
            } catch let error as FileSystemError where error.errno == EEXIST {
                // Another run made it meanwhile: as for rsync, that is the directory we wanted.
                guard (try? await destination.entry(name, in: dst, followSymlink: false))??.kind == .directory else {
                    reporter.error("\(error)")
                    return
                }
            } catch {
                reporter.error("\(error)")
                return
            }
        } else if let existing, !unsent {
            change.update = .attributesOnly
            attributeChanges(&change, source: entry, destination: existing)
        }
        if itemizesDirectories && !unsent {
            reporter.changed(change, path: path, status: entry.status, sourcePath: senderPath(of: path))
        }

        // What the child lists: everything, or (files-from, -x) only some names.
        var restriction: FilesFromTree?
        if let tree = node.filesFrom {
            let sub = tree.children[entry.name] ?? FilesFromTree()
            // A path -R keeps is walked as any SRC is; one --files-from lists, only with an explicit -r.
            restriction = sub.isListed && (options.relative ? options.recursive : options.explicitRecursive) ? nil : sub
        }
        if options.oneFileSystem, let rootDevice = node.rootDevice, entry.status.device != rootDevice {
            restriction = FilesFromTree()
        }
        if !options.recursive && options.dirs && node.filesFrom == nil {
            // -d: the directory is made, its contents are not sent.
            restriction = FilesFromTree()
        }
        let child = DirectoryNode(relativePath: path, parent: node, sourceName: entry.name, destinationName: name,
                                  sourceEntry: entry, deleteAllowed: restriction == nil, isNew: existing == nil)
        child.filesFrom = restriction
        child.sourceParent = srcDir
        child.finalAttributes = existing == nil ? attributes(for: entry, isNew: true) : attributesToFix(source: entry, change: change)
        if unsent {
            // Made with the default mode, or left as it was.
            child.finalAttributes = AttributeSet()
            if existing == nil { child.finalAttributes.permissions = 0o777 & ~options.umask }
        } else if options.preservesTimes(of: .directory) && sourceHasDirectories {
            // Whatever changes inside moves the directory's mtime: set it back at the end.
            child.finalAttributes.mtime = entry.status.mtime
            child.mtimeAlreadyRight = existing != nil && !change.time
        }
        child.rootDevice = node.rootDevice
        node.retain()
        if walksInKeyOrder {
            await walk(child)
        } else {
            workList.push(child)
        }
    }
}
