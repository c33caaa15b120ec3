#if canImport(Glibc)
import Glibc
#endif

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
        let entry = job.entry
        let node = job.node
        guard let dst = node.destination else { return }
        let name = node.destinationName(for: entry.name)
        let path = node.path(of: name)
        var succeeded = false
        // Followers are linked (or copied alone) by whoever completes the leader.
        defer { if job.isHardLinkLeader { completeLeader(entry, succeeded: succeeded) } }
        let fd: Int32
        do {
            fd = try source.openForReading(entry.name, in: job.sourceDirectory)
        } catch where error.isVanished {
            reporter.vanished(job.sourceDirectory.path(of: entry.name))
            return
        } catch {
            reporter.error("send_files failed to open \"\(job.sourceDirectory.path(of: entry.name))\": \(error.reason)")
            return
        }
        defer { FileSystem.close(fd) }
        if CancellationFlag.isSet { return }
        var basis: BasisFile?
        if options.backup, let existing = job.existing {
            // In place, the old version must survive as a copy: the file itself is rewritten.
            basis = options.inPlace ? makeBackupCopy(of: existing, name: name, in: dst, directoryPath: node.relativePath)
                : makeBackup(name: name, in: dst, directoryPath: node.relativePath)
            guard basis != nil else { return }
        }
        var writeOptions = WriteOptions()
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
        } catch let error as FileSystemError where error.isVanished && error.operation != "open" {
            reporter.vanished(job.sourceDirectory.path(of: entry.name))
        } catch {
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
            if let leader = try? FileSystem.linkStatus(leaderPath, in: root.descriptor, path: ""),
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
                try FileSystem.makeHardLink(name, in: dst.descriptor, to: leaderPath, in: root.descriptor, path: dst.path(of: name))
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
            let fd = try source.openForReading(follower.entry.name, in: follower.sourceDirectory)
            defer { FileSystem.close(fd) }
            var writeOptions = WriteOptions()
            writeOptions.sparse = options.sparse
            _ = try destination.writeFile(name, in: dst, from: fd, size: follower.entry.status.size,
                                          attributes: attributes(for: follower.entry, isNew: true), options: writeOptions) { _ in
                !CancellationFlag.isSet
            }
            reporter.statistics.add(.regularTransferred)
            reporter.changed(ItemizedChange(update: .received, kind: .regular, isNew: follower.existing == nil), path: node.path(of: name))
        } catch {
            reporter.error("\(error)")
        }
    }
}
