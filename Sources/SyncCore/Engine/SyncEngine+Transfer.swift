#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

extension SyncEngine {
    /// Hands a regular file to the transfer workers (waiting while the queue is full).
    func enqueue(_ job: TransferJob) async {
        job.node.retain()
        job.node.markContentsChanged()
        if job.entry.status.size < inlineTransferLimit {
            // A small file costs less to copy here than to hand to another thread.
            await transfer(job)
        } else {
            await transfers.push(job)
        }
    }

    /// Copies one regular file: a transfer worker's whole job.
    func transfer(_ job: TransferJob) async {
        defer { release(job.node) }
        var entry = job.entry
        let node = job.node
        guard let dst = node.destination else { return }
        let name = node.destinationName(for: entry.name)
        let path = node.path(of: name)
        var succeeded = false
        // Followers are linked (or copied alone) by whoever completes the leader.
        defer { if job.isHardLinkLeader { completeLeader(job.entry, succeeded: succeeded) } }
        let sourcePath = job.sourceDirectory.path(of: entry.name)
        let fd: Int32
        do {
            let opened = try source.openRegularFile(entry.name, in: job.sourceDirectory)
            fd = opened.descriptor
            // Replaced since the listing: size, contents and attributes all come from the file
            // that was opened, so the copy is one whole version, never a mix of two.
            entry.status = opened.status
        } catch where error.isVanished {
            reporter.vanished(sourcePath)
            return
        } catch where error.isNotRegularFile {
            reporter.notice("skipping non-regular file \"\(DisplayPath.escape(Array(sourcePath.utf8)))\"")
            return
        } catch {
            reporter.error("send_files failed to open \"\(sourcePath)\": \(error.reason)")
            return
        }
        defer { FileSystem.close(fd) }
        if CancellationFlag.isSet { return }
        var basis: BasisFile?
        var writeOptions = WriteOptions()
        if options.backup, let existing = job.existing {
            if options.inPlace {
                // In place, the old version must survive as a copy: the file itself is rewritten.
                basis = makeBackupCopy(of: existing, name: name, in: dst, directoryPath: node.relativePath)
                guard basis != nil else { return }
            } else {
                // The old version gets its backup name only once the new one is complete, so
                // the name always holds a whole file, whatever stops the run.
                guard let backup = backupName(for: name, in: dst, directoryPath: node.relativePath) else { return }
                writeOptions.backup = backup
            }
        }
        writeOptions.sparse = options.sparse
        writeOptions.inPlace = options.inPlace && job.existing != nil
        writeOptions.keepPartial = options.partial || options.partialDirectory != nil
        writeOptions.partialDirectory = context.withLock { $0.partialDirectory }
        let attributes = attributes(for: entry, isNew: job.existing == nil || !options.preservePermissions)
        let limiter = self.limiter
        do {
            let written: Int64
            if !options.wholeFile, let existing = job.existing, existing.kind == .regular, existing.status.size > 0 {
                // --no-whole-file: only what the old version lacks is written as literal data.
                let (literal, matched) = try destination.writeFileUsingBasis(name, in: dst, basis: basis, from: fd, size: entry.status.size,
                                                                             attributes: attributes, options: writeOptions)
                bytesDone.add(literal + matched, ordering: .relaxed)
                reporter.statistics.add(.matchedData, matched)
                written = literal
            } else {
                written = try destination.writeFile(name, in: dst, from: fd, size: entry.status.size, attributes: attributes,
                                                    options: writeOptions) { n in
                    self.bytesDone.add(Int64(n), ordering: .relaxed)
                    if let limiter { return limiter.consume(n) }
                    return !CancellationFlag.isSet
                }
            }
            reporter.statistics.add(.regularTransferred)
            reporter.statistics.add(.transferredSize, entry.status.size)
            reporter.statistics.add(.literalData, options.dryRun ? 0 : written)
            if job.existing == nil { reporter.statistics.countCreated(.regular) }
            if job.isHardLinkLeader && job.existing == nil, let itemizer = hardLinkItemizer {
                if let complete = itemizer.startGroup(entry.status, leaderPath: path) { reportHardLinkGroup(complete) }
            } else {
                reporter.changed(job.change, path: path)
            }
            reporter.fileDone(path: path, size: entry.status.size)
            succeeded = true
            if options.removeSourceFiles { removeSource(entry, in: job.sourceDirectory) }
        } catch is SyncInterrupted {
            reporter.interrupted()
        } catch let error as FileSystemError where error.isTornRead {
            // The source shrank while read: what we had is not a whole version, so the old file stays.
            reporter.error("read errors mapping \"\(sourcePath)\": \(error.reason)")
            reporter.error("\(DisplayPath.escape(path)) failed verification -- update discarded.")
        } catch {
            // The source is open, so ENOENT here is the destination's (a directory removed
            // under us): a failed transfer (23), never the source's "vanished" (24).
            reporter.error("\(error)")
        }
    }

    /// Marks a hard-link leader done (transferred, up to date, skipped or failed) and links or
    /// copies the followers that waited for it.
    func completeLeader(_ entry: FileEntry, succeeded: Bool) {
        guard let hardLinks else { return }
        let (leaderPath, waiters) = hardLinks.complete(entry.status, succeeded: succeeded)
        for follower in waiters {
            if succeeded { linkFollower(follower, to: leaderPath, retained: true) } else { copyFollowerAlone(follower) }
        }
    }

    /// Makes `follower` a hard link to the leader's destination at `leaderPath` (relative to
    /// the destination root). `retained`: the follower holds a count on its directory.
    func linkFollower(_ follower: HardLinkRegistry.Follower, to leaderPath: [UInt8], retained: Bool) {
        let node = follower.node
        defer { if retained { release(node) } }
        node.markContentsChanged()
        guard let dst = node.destination, let root = context.withLock({ $0.destinationRoot }) else { return }
        let name = node.destinationName(for: follower.entry.name)
        let path = node.path(of: name)
        if let existing = follower.existing {
            if let leader = try? FileSystem.linkStatus(beneath: root.descriptor, leaderPath, path: ""),
               existing.status.inode == leader.inode && existing.status.device == leader.device {
                return
            }
            if !options.dryRun {
                do {
                    try destination.remove(name, in: dst, kind: existing.kind) { _, _ in }
                } catch {
                    reporter.error("\(error)")
                    return
                }
            }
        }
        do {
            if !options.dryRun {
                // The leader is reached from the root without following a symlink: one swapped into
                // the destination must not make this a link to a file outside it.
                try FileSystem.withParent(of: leaderPath, beneath: root.descriptor, path: DisplayPath.escape(leaderPath)) { (dir, leaderName) throws(FileSystemError) in
                    try FileSystem.makeHardLink(name, in: dst.descriptor, to: leaderName, in: dir, path: dst.path(of: name))
                }
            }
            if follower.existing == nil { reporter.statistics.countCreated(.regular) }
            if follower.existing == nil, let itemizer = hardLinkItemizer {
                let (held, complete) = itemizer.addFollower(follower.entry.status, path: path)
                if let complete { reportHardLinkGroup(complete) }
                if held { return }
            }
            let change = ItemizedChange(update: .hardLink, kind: .regular, isNew: follower.existing == nil)
            reporter.changed(change, path: path, hardLinkTarget: leaderPath)
        } catch {
            reporter.error("\(error)")
        }
    }

    /// Prints a held hard-link group as rsync would: the data carrier, then the links to it.
    func reportHardLinkGroup(_ group: (carrier: [UInt8], others: [[UInt8]])) {
        reporter.changed(ItemizedChange(update: .received, kind: .regular, isNew: true), path: group.carrier)
        for other in group.others {
            reporter.changed(ItemizedChange(update: .hardLink, kind: .regular, isNew: true), path: other, hardLinkTarget: group.carrier)
        }
    }

    /// The leader failed: the follower is copied on its own, from its own source path.
    private func copyFollowerAlone(_ follower: HardLinkRegistry.Follower) {
        let node = follower.node
        defer { release(node) }
        node.markContentsChanged()
        guard let dst = node.destination else { return }
        let name = node.destinationName(for: follower.entry.name)
        do {
            var entry = follower.entry
            let opened = try source.openRegularFile(entry.name, in: follower.sourceDirectory)
            defer { FileSystem.close(opened.descriptor) }
            entry.status = opened.status
            var writeOptions = WriteOptions()
            writeOptions.sparse = options.sparse
            _ = try destination.writeFile(name, in: dst, from: opened.descriptor, size: entry.status.size,
                                          attributes: attributes(for: entry, isNew: true), options: writeOptions) { _ in
                !CancellationFlag.isSet
            }
            reporter.statistics.add(.regularTransferred)
            reporter.changed(ItemizedChange(update: .received, kind: .regular, isNew: follower.existing == nil), path: node.path(of: name))
        } catch {
            reporter.error("\(error)")
        }
    }
}
