#if canImport(Glibc)
import Glibc
#endif

extension SyncEngine {
    /// Lists one directory on both sides, plans it, and acts: deletions, directories,
    /// symlinks, devices and attribute fixes inline; regular files to the transfer queue.
    func walk(_ node: DirectoryNode) async {
        defer { release(node) }
        if CancellationFlag.isSet { workList.cancel(); return }
        guard openHandles(of: node), let dst = node.destination else { return }

        // The listings: the root may gather entries from several source directories.
        var sourceEntries: [FileEntry]
        var sourceDirectories: [DirectoryRef]
        if let roots = node.rootSources {
            sourceEntries = roots.map { $0.1 }
            sourceDirectories = roots.map { $0.0 }
        } else if let src = node.source {
            do {
                sourceEntries = try source.list(src)
            } catch {
                reporter.error("\(error)")
                return
            }
            sourceDirectories = []
        } else {
            return
        }
        if let only = node.filesFrom, !only.includesContents, node.rootSources == nil {
            sourceEntries.removeAll { only.children[$0.name] == nil }
        }
        var destinationEntries: [FileEntry]
        var deleteAllowed = node.deleteAllowed && options.delete != nil
        do {
            destinationEntries = try destination.list(dst)
        } catch {
            reporter.error("\(error)")
            destinationEntries = []
            deleteAllowed = false
        }
        let plan = DirectoryPlanner.plan(directory: node.relativePath, source: sourceEntries, destination: destinationEntries,
                                         filters: options.filters, deleteAllowed: deleteAllowed)

        if !plan.deletions.isEmpty {
            node.markContentsChanged()
            if options.delete == .after {
                let late = plan.deletions.reversed().map { destinationEntries[$0] }
                let mtime = options.preserveTimes ? (node.sourceEntry?.status.mtime) : nil
                lateDeletions.withLock { $0.append((node.relativePath, late, mtime)) }
            } else {
                // rsync deletes in reverse name order (which --max-delete makes visible).
                for index in plan.deletions.reversed() { delete(destinationEntries[index], in: dst, directoryPath: node.relativePath) }
            }
        }
        if let hardLinks {
            // rsync's choice of the name that carries the data: the first of the group (in name
            // order) that already exists at the destination, else the last one.
            var groups: [HardLinkRegistry.Key: (first: Int?, last: Int)] = [:]
            for (position, item) in plan.items.enumerated() {
                let e = sourceEntries[item.source]
                guard e.kind == .regular && e.status.linkCount > 1 else { continue }
                let key = HardLinkRegistry.Key(device: e.status.device, inode: e.status.inode)
                var g = groups[key] ?? (nil, position)
                g.last = position
                if g.first == nil, let d = item.destination, destinationEntries[d].kind == .regular { g.first = position }
                groups[key] = g
            }
            for (_, g) in groups {
                let item = plan.items[g.first ?? g.last]
                let e = sourceEntries[item.source]
                hardLinks.prefer(e.status, path: node.path(of: node.destinationName(for: e.name)))
            }
        }
        for item in plan.items {
            if CancellationFlag.isSet { workList.cancel(); return }
            let entry = sourceEntries[item.source]
            let srcDir = sourceDirectories.isEmpty ? node.source! : sourceDirectories[item.source]
            let existing = item.destination.map { destinationEntries[$0] }
            await handle(entry, from: srcDir, existing: existing, in: node, destinationDirectory: dst)
        }
    }

    /// Opens the node's source and destination directories (the root's are already open).
    private func openHandles(of node: DirectoryNode) -> Bool {
        guard let parent = node.parent else { return true }
        guard let parentSource = node.sourceParent ?? parent.source, let parentDestination = parent.destination else { return false }
        // Destination first: even when the source cannot be read, the directory made for it
        // gets its attributes at the end.
        do {
            if let dst = try destination.openDirectory(node.destinationName, in: parentDestination) {
                node.destination = dst
            } else if options.dryRun {
                node.destination = DirectoryRef(descriptor: -1, displayPath: parentDestination.path(of: node.destinationName))
            } else {
                reporter.error("opendir \"\(parentDestination.path(of: node.destinationName))\" failed: No such file or directory (2)")
                return false
            }
        } catch {
            if options.dryRun {
                node.destination = DirectoryRef(descriptor: -1, displayPath: parentDestination.path(of: node.destinationName))
            } else {
                reporter.error("\(error)")
                return false
            }
        }
        do {
            guard let src = try source.openDirectory(node.sourceName, in: parentSource) else {
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
    private func handle(_ entry: FileEntry, from srcDir: DirectoryRef, existing: FileEntry?, in node: DirectoryNode,
                        destinationDirectory dst: DirectoryRef) async {
        var entry = entry
        let name = node.destinationName(for: entry.name)
        let path = node.path(of: name)
        if entry.kind == .symlink && options.copyLinks {
            do {
                guard let target = try source.entry(entry.name, in: srcDir, followSymlink: true) else {
                    reporter.error("symlink has no referent: \"\(srcDir.path(of: entry.name))\"")
                    return
                }
                entry = FileEntry(name: entry.name, status: target.status)
            } catch {
                reporter.error("\(error)")
                return
            }
        }
        switch entry.kind {
        case .directory:
            guard options.recursive || node.filesFrom != nil else {
                reporter.verbose("skipping directory " + DisplayPath.escape(path))
                return
            }
        case .symlink:
            guard options.preserveLinks else {
                reporter.verbose("skipping non-regular file \"\(DisplayPath.escape(path))\"")
                return
            }
        case .blockDevice, .characterDevice:
            guard options.preserveDevices else {
                reporter.verbose("skipping non-regular file \"\(DisplayPath.escape(path))\"")
                return
            }
        case .fifo, .socket:
            guard options.preserveSpecials else {
                reporter.verbose("skipping non-regular file \"\(DisplayPath.escape(path))\"")
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

        var current = existing
        if let e = current, e.kind == entry.kind, e.kind != .directory, options.ignoreExisting { return }
        var replaced = false
        if let e = current, e.kind != entry.kind {
            // Make way: the old item of another type goes first.
            if options.ignoreExisting {
                // rsync leaves it and then fails to look inside the "directory".
                if entry.kind == .directory {
                    reporter.error("recv_generator: failed to stat \"\(dst.path(of: name))\": Not a directory (20)")
                    // ...and, like rsync's end-of-run directory pass, still sets the time on that path.
                    if options.preserveTimes {
                        try? destination.setAttributes(name, in: dst, kind: e.kind, AttributeSet(mtime: entry.status.mtime))
                    }
                }
                return
            }
            guard makeWay(for: entry, replacing: e, name: name, in: dst, node: node) else { return }
            node.markContentsChanged()
            current = nil
            replaced = true
        }
        if current == nil && !replaced && options.existingOnly { return }

        switch entry.kind {
        case .directory:
            descend(into: entry, from: srcDir, name: name, existing: current, node: node, destinationDirectory: dst)
        case .regular:
            await handleRegular(entry, from: srcDir, name: name, existing: current, node: node, destinationDirectory: dst)
        case .symlink:
            handleSymlink(entry, from: srcDir, name: name, existing: current, node: node, destinationDirectory: dst)
        default:
            handleSpecial(entry, name: name, existing: current, node: node, destinationDirectory: dst)
        }
    }

    /// Removes an item of another type where a new one must go. A non-empty directory is only
    /// removed with `--delete` or `--force`, as in rsync.
    private func makeWay(for entry: FileEntry, replacing old: FileEntry, name: [UInt8], in dst: DirectoryRef, node: DirectoryNode) -> Bool {
        let path = node.path(of: name)
        if old.kind == .directory && options.delete == nil && !options.force {
            // Without --delete or --force rsync only removes an empty directory in the way.
            let isEmpty = ((try? destination.openDirectory(name, in: dst)) ?? nil).map { dir in
                ((try? destination.list(dir)) ?? [FileEntry(name: [], status: FileStatus(kind: .regular, permissions: 0))]).isEmpty
            } ?? true
            guard isEmpty else {
                reporter.error("cannot delete non-empty directory: \(DisplayPath.escape(path))")
                reporter.error("could not make way for new \(kindWord(entry.kind)): \(DisplayPath.escape(path))")
                return false
            }
        }
        if options.backup && old.kind != .directory {
            return makeBackup(name: name, in: dst, directoryPath: node.relativePath)
        }
        do {
            try destination.remove(name, in: dst, kind: old.kind) { relative, kind in
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

    private func kindWord(_ kind: FileKind) -> String {
        switch kind {
        case .regular: "regular file"
        case .directory: "directory"
        case .symlink: "symlink"
        case .blockDevice, .characterDevice: "device"
        case .fifo, .socket: "special file"
        }
    }

    // MARK: Directories

    private func descend(into entry: FileEntry, from srcDir: DirectoryRef, name: [UInt8], existing: FileEntry?, node: DirectoryNode, destinationDirectory dst: DirectoryRef) {
        let path = node.path(of: name)
        var change = ItemizedChange(update: .localChange, kind: .directory, isNew: existing == nil)
        if existing == nil {
            node.markContentsChanged()
            do {
                try destination.makeDirectory(name, in: dst, permissions: 0o700)
                reporter.statistics.countCreated(.directory)
            } catch {
                reporter.error("\(error)")
                return
            }
        } else if let existing {
            change.update = .attributesOnly
            attributeChanges(&change, source: entry, destination: existing)
        }
        reporter.changed(change, path: path)

        // What the child lists: everything, or (files-from, -x) only some names.
        var restriction: FilesFromTree?
        if let tree = node.filesFrom {
            let sub = tree.children[entry.name] ?? FilesFromTree()
            restriction = sub.isListed && options.explicitRecursive ? nil : sub
        }
        if options.oneFileSystem, let rootDevice = node.rootDevice, entry.status.device != rootDevice {
            restriction = FilesFromTree()
        }
        let child = DirectoryNode(relativePath: path, parent: node, sourceName: entry.name, destinationName: name,
                                  sourceEntry: entry, deleteAllowed: restriction == nil, isNew: existing == nil)
        child.filesFrom = restriction
        child.sourceParent = srcDir
        child.finalAttributes = existing == nil ? attributes(for: entry, isNew: true) : attributesToFix(source: entry, change: change)
        // Whatever changes inside moves the directory's mtime: set it back at the end.
        if options.preserveTimes {
            child.finalAttributes.mtime = entry.status.mtime
            child.mtimeAlreadyRight = existing != nil && !change.time
        }
        child.rootDevice = node.rootDevice
        node.retain()
        workList.push(child)
    }

    // MARK: Regular files

    private func handleRegular(_ entry: FileEntry, from srcDir: DirectoryRef, name: [UInt8], existing: FileEntry?,
                               node: DirectoryNode, destinationDirectory dst: DirectoryRef) async {
        let path = node.path(of: name)
        var isLeader = false
        if let hardLinks, entry.status.linkCount > 1 {
            let follower = HardLinkRegistry.Follower(node: node, sourceDirectory: srcDir, entry: entry, existing: existing)
            switch hardLinks.claim(entry.status, path: path, follower: follower) {
            case .leader:
                isLeader = true
            case .linkTo(let leaderPath):
                linkFollower(follower, to: leaderPath, retained: false)
                return
            case .queued:
                node.retain()
                return
            case .transferAlone:
                break
            }
        }

        guard let existing else {
            if let handled = useAlternateDestination(for: entry, name: name, path: path, node: node, destinationDirectory: dst), handled {
                if isLeader { completeLeader(entry, succeeded: true) }
                return
            }
            await enqueue(TransferJob(node: node, sourceDirectory: srcDir, entry: entry, existing: nil,
                                      change: ItemizedChange(update: .received, kind: .regular, isNew: true),
                                      isHardLinkLeader: isLeader))
            return
        }
        var decision = QuickCheck.decide(source: entry.status, destination: existing.status, options: options)
        var change = ItemizedChange(update: .received, kind: .regular)
        if decision == .compareChecksums {
            change.checksum = !checksumsMatch(entry, in: srcDir, and: name, in: dst)
            decision = change.checksum ? .transfer : .upToDate
        }
        switch decision {
        case .skip:
            if isLeader { completeLeader(entry, succeeded: true) }
            return
        case .transfer:
            change.size = entry.status.size != existing.status.size
            attributeChanges(&change, source: entry, destination: existing)
            if !options.preserveTimes { change.timeIsTransferTime = true }
            await enqueue(TransferJob(node: node, sourceDirectory: srcDir, entry: entry, existing: existing,
                                      change: change, isHardLinkLeader: isLeader))
        case .upToDate, .compareChecksums:
            change.update = .attributesOnly
            var existing = existing
            if existing.status.linkCount > 1, let fresh = try? destination.entry(name, in: dst, followSymlink: false) {
                // Another name of this inode may have been fixed already in this run.
                existing = fresh
            }
            attributeChanges(&change, source: entry, destination: existing)
            if change.isSignificant {
                reporter.changed(change, path: path)
                do {
                    try destination.setAttributes(name, in: dst, kind: .regular, attributesToFix(source: entry, change: change))
                } catch {
                    reporter.error("\(error)")
                }
            }
            if options.removeSourceFiles { removeSource(entry, in: srcDir) }
            if isLeader { completeLeader(entry, succeeded: true) }
        }
    }

    private func checksumsMatch(_ entry: FileEntry, in srcDir: DirectoryRef, and name: [UInt8], in dst: DirectoryRef) -> Bool {
        do {
            let a = try source.openForReading(entry.name, in: srcDir)
            defer { FileSystem.close(a) }
            let b = try destination.openForReading(name, in: dst)
            defer { FileSystem.close(b) }
            return try ContentChecksum.digest(of: a, path: srcDir.path(of: entry.name))
                == ContentChecksum.digest(of: b, path: dst.path(of: name))
        } catch {
            return false
        }
    }

    /// `--link-dest`/`--compare-dest`: a matching file in an alternate tree is linked or
    /// skipped instead of copied. Returns `true` when handled.
    private func useAlternateDestination(for entry: FileEntry, name: [UInt8], path: [UInt8], node: DirectoryNode,
                                         destinationDirectory dst: DirectoryRef) -> Bool? {
        let alternates = context.withLock { $0.alternateDestinations }
        guard !alternates.isEmpty else { return nil }
        for (ref, link) in alternates {
            guard let status = try? FileSystem.linkStatus(path, in: ref.descriptor, path: ""), status.kind == .regular else { continue }
            guard QuickCheck.decide(source: entry.status, destination: status, options: options) == .upToDate else { continue }
            if link {
                let wanted = attributes(for: entry, isNew: false)
                if let p = wanted.permissions, p != status.permissions { continue }
                if let u = wanted.uid, u != status.uid { continue }
                if let g = wanted.gid, g != status.gid { continue }
                do {
                    if !options.dryRun {
                        try FileSystem.makeHardLink(name, in: dst.descriptor, to: path, in: ref.descriptor, path: dst.path(of: name))
                    }
                    node.markContentsChanged()
                    reporter.statistics.countCreated(.regular)
                } catch {
                    continue
                }
            }
            return true
        }
        return false
    }

    // MARK: Symlinks, devices, specials

    private func handleSymlink(_ entry: FileEntry, from srcDir: DirectoryRef, name: [UInt8], existing: FileEntry?, node: DirectoryNode, destinationDirectory dst: DirectoryRef) {
        let path = node.path(of: name)
        let target = entry.linkTarget ?? []
        var change = ItemizedChange(update: .localChange, kind: .symlink, isNew: existing == nil)
        if existing == nil {
            // --compare-dest/--link-dest: an identical symlink there means nothing to do here.
            for (ref, link) in context.withLock({ $0.alternateDestinations }) {
                guard let other = try? FileSystem.readLink(path, in: ref.descriptor, path: ""), other == target else { continue }
                if link && !options.dryRun {
                    try? FileSystem.makeHardLink(name, in: dst.descriptor, to: path, in: ref.descriptor, path: "")
                    node.markContentsChanged()
                }
                return
            }
        }
        if let existing {
            if existing.linkTarget != target {
                change.checksum = true
                attributeChanges(&change, source: entry, destination: existing)
                guard removeForReplacement(existing, name: name, in: dst, node: node) else { return }
            } else {
                change.update = .attributesOnly
                attributeChanges(&change, source: entry, destination: existing)
                if change.isSignificant {
                    reporter.changed(change, path: path, linkTarget: target)
                    do {
                        try destination.setAttributes(name, in: dst, kind: .symlink, attributesToFix(source: entry, change: change))
                    } catch { reporter.error("\(error)") }
                }
                if options.removeSourceFiles { removeSource(entry, in: srcDir) }
                return
            }
        }
        node.markContentsChanged()
        do {
            try destination.makeSymlink(name, in: dst, target: target)
            var a = attributes(for: entry, isNew: true)
            a.permissions = nil
            if !a.isEmpty { try destination.setAttributes(name, in: dst, kind: .symlink, a) }
            if existing == nil { reporter.statistics.countCreated(.symlink) }
            reporter.changed(change, path: path, linkTarget: target)
            if options.removeSourceFiles { removeSource(entry, in: srcDir) }
        } catch {
            reporter.error("\(error)")
        }
    }

    private func handleSpecial(_ entry: FileEntry, name: [UInt8], existing: FileEntry?, node: DirectoryNode, destinationDirectory dst: DirectoryRef) {
        let path = node.path(of: name)
        var change = ItemizedChange(update: .localChange, kind: entry.kind, isNew: existing == nil)
        if let existing {
            if existing.status.rdev == entry.status.rdev || !entry.kind.isDevice {
                change.update = .attributesOnly
                attributeChanges(&change, source: entry, destination: existing)
                if change.isSignificant {
                    reporter.changed(change, path: path)
                    do {
                        try destination.setAttributes(name, in: dst, kind: entry.kind, attributesToFix(source: entry, change: change))
                    } catch { reporter.error("\(error)") }
                }
                return
            }
            change.checksum = true
            guard removeForReplacement(existing, name: name, in: dst, node: node) else { return }
        }
        node.markContentsChanged()
        do {
            try destination.makeNode(name, in: dst, status: entry.status)
            try destination.setAttributes(name, in: dst, kind: entry.kind, attributes(for: entry, isNew: true))
            if existing == nil { reporter.statistics.countCreated(entry.kind) }
            reporter.changed(change, path: path)
        } catch {
            reporter.error("\(error)")
        }
    }

    /// Removes (or with `-b` backs up) a non-directory that a new version replaces.
    private func removeForReplacement(_ existing: FileEntry, name: [UInt8], in dst: DirectoryRef, node: DirectoryNode) -> Bool {
        if options.backup { return makeBackup(name: name, in: dst, directoryPath: node.relativePath) }
        do {
            try destination.remove(name, in: dst, kind: existing.kind) { _, _ in }
            return true
        } catch {
            reporter.error("\(error)")
            return false
        }
    }

    // MARK: Deletion

    /// Deletes one destination entry the source no longer has (within `--max-delete`).
    func delete(_ entry: FileEntry, in dst: DirectoryRef, directoryPath: [UInt8]) {
        if let limit = options.maxDelete {
            if deletionCount.add(1, ordering: .relaxed).newValue > limit {
                reporter.statistics.add(.deletionsSkipped)
                reporter.maxDeleteReached()
                return
            }
        }
        if options.backup && entry.kind == .directory {
            deleteBackingUp(entry.name, in: dst, path: DisplayPath.join(directoryPath, entry.name))
            return
        }
        if options.backup {
            let path = DisplayPath.join(directoryPath, entry.name)
            if makeBackup(name: entry.name, in: dst, directoryPath: directoryPath) {
                reporter.deleted(path: path, kind: entry.kind)
            }
            return
        }
        if entry.kind == .directory && !options.filters.isEmpty {
            _ = deleteProtectingFiltered(entry.name, in: dst, path: DisplayPath.join(directoryPath, entry.name), depth: 0)
            return
        }
        do {
            try destination.remove(entry.name, in: dst, kind: entry.kind) { relative, kind in
                reporter.deleted(path: DisplayPath.join(directoryPath, relative), kind: kind)
            }
        } catch {
            reporter.error("delete of \"\(dst.path(of: entry.name))\" failed: \(error)")
        }
    }

    /// `--delete -b` on a directory: every file inside is backed up, then the directory goes if
    /// it is empty (with a suffix-only backup the backups keep it).
    private func deleteBackingUp(_ name: [UInt8], in dst: DirectoryRef, path: [UInt8]) {
        do {
            if let dir = try destination.openDirectory(name, in: dst) {
                for child in try destination.list(dir).reversed() {
                    let childPath = DisplayPath.join(path, child.name)
                    if child.kind == .directory {
                        deleteBackingUp(child.name, in: dir, path: childPath)
                    } else if makeBackup(name: child.name, in: dir, directoryPath: path) {
                        reporter.deleted(path: childPath, kind: child.kind)
                    }
                }
            }
            if let dir = try destination.openDirectory(name, in: dst), try destination.list(dir).isEmpty {
                try destination.remove(name, in: dst, kind: .directory) { _, _ in }
                reporter.deleted(path: path, kind: .directory)
            }
        } catch {
            reporter.error("delete of \"\(dst.path(of: name))\" failed: \(error)")
        }
    }

    /// Deletes a directory tree except what receiver-side filter rules protect; a directory
    /// that keeps a protected file stays. Returns whether `name` itself was removed.
    private func deleteProtectingFiltered(_ name: [UInt8], in dst: DirectoryRef, path: [UInt8], depth: Int) -> Bool {
        var keptSomething = false
        do {
            if let dir = try destination.openDirectory(name, in: dst) {
                for child in try destination.list(dir).reversed() {
                    let childPath = DisplayPath.join(path, child.name)
                    if options.filters.protectsOnReceiver(childPath, isDirectory: child.kind == .directory) {
                        keptSomething = true
                        continue
                    }
                    if child.kind == .directory {
                        if !deleteProtectingFiltered(child.name, in: dir, path: childPath, depth: depth + 1) { keptSomething = true }
                    } else {
                        try destination.remove(child.name, in: dir, kind: child.kind) { _, kind in
                            reporter.deleted(path: childPath, kind: kind)
                        }
                    }
                }
            }
            if keptSomething {
                // rsync says so on stdout even without -v (a nested one twice, as it does).
                let line = "cannot delete non-empty directory: " + DisplayPath.escape(path)
                for _ in 0..<(depth > 0 ? 2 : 1) { reporter.notice(line) }
                return false
            }
            try destination.remove(name, in: dst, kind: .directory) { _, _ in }
            reporter.deleted(path: path, kind: .directory)
            return true
        } catch {
            reporter.error("delete of \"\(dst.path(of: name))\" failed: \(error)")
            return false
        }
    }

    /// `-b`: moves the current destination file aside (`NAME~`, or into `--backup-dir`).
    func makeBackup(name: [UInt8], in dst: DirectoryRef, directoryPath: [UInt8]) -> Bool {
        let suffix = Array(options.effectiveBackupSuffix.utf8)
        do {
            if let backupRoot = context.withLock({ $0.backupRoot }) {
                let target = try backupDirectory(for: directoryPath, under: backupRoot)
                try destination.rename(name, in: dst, to: name + suffix, in: target)
            } else {
                try destination.rename(name, in: dst, to: name + suffix, in: dst)
            }
            return true
        } catch {
            reporter.error("backup of \"\(dst.path(of: name))\" failed: \(error)")
            return false
        }
    }

    /// The directory in the backup tree that mirrors `relativePath`, created as needed.
    private func backupDirectory(for relativePath: [UInt8], under root: DirectoryRef) throws(FileSystemError) -> DirectoryRef {
        var current = root
        for component in relativePath.split(separator: UInt8(ascii: "/")) {
            let name = Array(component)
            if let next = try destination.openDirectory(name, in: current) {
                current = next
                continue
            }
            do {
                try destination.makeDirectory(name, in: current, permissions: 0o755)
            } catch where error.errno == EEXIST {}
            guard let next = try destination.openDirectory(name, in: current) else {
                throw FileSystemError(operation: "mkdir", path: current.path(of: name), errno: ENOENT)
            }
            current = next
        }
        return current
    }

    func removeSource(_ entry: FileEntry, in srcDir: DirectoryRef) {
        guard !options.dryRun else { return }
        do {
            try FileSystem.remove(entry.name, in: srcDir.descriptor, isDirectory: false, path: srcDir.path(of: entry.name))
        } catch {
            reporter.error("\(error)")
        }
    }
}
