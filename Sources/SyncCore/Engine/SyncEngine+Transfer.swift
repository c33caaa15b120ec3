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
        let succeeded = await copy(job)
        // Followers are linked (or copied alone) by whoever completes the leader.
        if job.isHardLinkLeader { await completeLeader(job.entry, succeeded: succeeded) }
        await release(job.node)
    }

    /// The copy itself; whether it succeeded.
    private func copy(_ job: TransferJob) async -> Bool {
        let entry = job.entry
        let node = job.node
        guard let dst = node.destination else { return false }
        let name = node.destinationName(for: entry.name)
        let path = node.path(of: name)
        // For messages only (building it per file was measurable).
        var sourcePath: String { job.sourceDirectory.path(of: entry.name) }
        let opened: any FileSource
        do {
            // Replaced since the listing: size, contents and attributes all come from the file
            // that was opened, so the copy is one whole version, never a mix of two.
            opened = MeteredSource(try await source.openFile(entry.name, in: job.sourceDirectory, listed: entry), meter: meter)
        } catch let error as FileSystemError where error.isVanished {
            reporter.vanished(sourcePath)
            return false
        } catch let error as FileSystemError where error.isNotRegularFile {
            reporter.notice("skipping non-regular file \"\(DisplayPath.escape(Array(sourcePath.utf8)))\"")
            return false
        } catch let error as FileSystemError {
            reporter.error("send_files failed to open \"\(sourcePath)\": \(error.reason)")
            return false
        } catch {
            reporter.error("\(error)")
            return false
        }
        if CancellationFlag.isSet { return false }
        var basis: BasisFile?
        var writeOptions = WriteOptions()
        if options.backup, let existing = job.existing {
            if options.inPlace {
                // In place, the old version must survive as a copy: the file itself is rewritten.
                basis = await makeBackupCopy(of: existing, name: name, in: dst, directoryPath: node.relativePath)
                guard basis != nil else { return false }
            } else {
                // The old version gets its backup name only once the new one is complete, so
                // the name always holds a whole file, whatever stops the run.
                guard let backup = await backupName(for: name, in: dst, directoryPath: node.relativePath) else { return false }
                writeOptions.backup = backup
            }
        }
        writeOptions.sparse = options.sparse
        writeOptions.inPlace = options.inPlace && job.existing != nil
        writeOptions.keepPartial = options.partial || options.partialDirectory != nil
        writeOptions.partialDirectory = context.withLock { $0.partialDirectory }
        let isNew = job.existing == nil || !options.preservePermissions
        // Without -p an updated file keeps the permissions it had (rsync's rule): the new
        // version is a new inode, so it is given them; the source's would widen a 0600 file.
        let keptPermissions = options.preservePermissions ? nil
            : job.existing.flatMap { $0.kind == .regular && destination.capabilities.contains(.posixAttributes) ? $0.status.permissions : nil }
        let attributes: AttributesForVersion = { [self] status in
            let version = FileEntry(name: entry.name, status: status)
            var set = self.attributes(for: version, isNew: isNew)
            if let keptPermissions {
                set.permissions = job.existing.flatMap { self.executableMode(source: version, destination: $0) } ?? keptPermissions
            }
            return set
        }
        do {
            let written: Int64
            if !options.wholeFile, let existing = job.existing, existing.kind == .regular, existing.status.size > 0 {
                // --no-whole-file: only what the old version lacks is written as literal data.
                let (literal, matched) = try await destination.putFileUsingBasis(name, in: dst, basis: basis, from: opened,
                                                                                 attributes: attributes, options: writeOptions)
                meter.count(literal + matched)
                reporter.statistics.add(.matchedData, matched)
                written = literal
            } else {
                written = try await destination.putFile(name, in: dst, from: opened, attributes: attributes, options: writeOptions)
            }
            let size = opened.status.size
            reporter.statistics.add(.regularTransferred)
            reporter.statistics.add(.transferredSize, size)
            reporter.statistics.add(.literalData, written)
            if receivesFromRemote { reporter.statistics.add(.receivedData, written) }
            if job.existing == nil { reporter.statistics.countCreated(.regular) }
            if job.isHardLinkLeader && job.existing == nil, let itemizer = hardLinkItemizer {
                if let complete = itemizer.startGroup(opened.status, leaderPath: path) { reportHardLinkGroup(complete) }
            } else {
                let checksum = reporter.showsChecksums ? await transferredChecksum(entry, in: job.sourceDirectory) : nil
                reporter.changed(job.change, path: path, status: opened.status, sourcePath: senderPath(of: path), bytesSent: written,
                                 checksum: checksum)
            }
            reporter.fileDone(path: path, size: size)
            if options.removeSourceFiles { await removeSource(entry, in: job.sourceDirectory) }
            return true
        } catch is SyncInterrupted {
            reporter.interrupted()
        } catch let vanished as SourceVanished {
            reporter.vanished(vanished.path)
        } catch let error as FileSystemError where error.isTornRead {
            // The source shrank while read: what we had is not a whole version, so the old file stays.
            reporter.error("read errors mapping \"\(sourcePath)\": \(error.reason)")
            reporter.error("\(DisplayPath.escape(path)) failed verification -- update discarded.")
        } catch {
            // The source is open, so ENOENT here is the destination's (a directory removed
            // under us): a failed transfer (23), never the source's "vanished" (24).
            reporter.error("\(error)")
        }
        return false
    }

    /// `%C`: the checksum of the version just sent, read again from the source (only when a
    /// format shows it).
    func transferredChecksum(_ entry: FileEntry, in srcDir: DirectoryRef) async -> ContentChecksum.Digest? {
        guard let file = try? await source.openFile(entry.name, in: srcDir, listed: entry) else { return nil }
        return try? await ContentChecksum.digest(of: file)
    }

    /// Marks a hard-link leader done (transferred, up to date, skipped or failed) and links or
    /// copies the followers that waited for it.
    func completeLeader(_ entry: FileEntry, succeeded: Bool) async {
        guard let hardLinks else { return }
        let (leaderPath, waiters) = hardLinks.complete(entry.status, succeeded: succeeded)
        for follower in waiters {
            if succeeded { await linkFollower(follower, to: leaderPath, retained: true) } else { await copyFollowerAlone(follower) }
        }
    }

    /// Makes `follower` a hard link to the leader's destination at `leaderPath` (relative to
    /// the destination root). `retained`: the follower holds a count on its directory.
    func linkFollower(_ follower: HardLinkRegistry.Follower, to leaderPath: [UInt8], retained: Bool) async {
        let node = follower.node
        await linkFollowerContents(follower, to: leaderPath)
        if retained { await release(node) }
    }

    private func linkFollowerContents(_ follower: HardLinkRegistry.Follower, to leaderPath: [UInt8]) async {
        let node = follower.node
        node.markContentsChanged()
        guard let dst = node.destination, let root = context.withLock({ $0.destinationRoot }) else { return }
        let name = node.destinationName(for: follower.entry.name)
        let path = node.path(of: name)
        if let existing = follower.existing {
            if let leader = (try? await destination.entry(atPath: leaderPath, beneath: root)) ?? nil,
               existing.status.inode == leader.status.inode && existing.status.device == leader.status.device {
                return
            }
            do {
                try await destination.remove(name, in: dst, kind: existing.kind) { _, _ in }
            } catch {
                reporter.error("\(error)")
                return
            }
        }
        do {
            // The leader is reached from the root without following a symlink: one swapped into
            // the destination must not make this a link to a file outside it.
            try await destination.makeHardLink(name, in: dst, toPath: leaderPath, beneath: root)
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
        reporter.changed(ItemizedChange(update: transferUpdate, kind: .regular, isNew: true), path: group.carrier)
        for other in group.others {
            reporter.changed(ItemizedChange(update: .hardLink, kind: .regular, isNew: true), path: other, hardLinkTarget: group.carrier)
        }
    }

    /// The leader failed: the follower is copied on its own, from its own source path.
    private func copyFollowerAlone(_ follower: HardLinkRegistry.Follower) async {
        let node = follower.node
        node.markContentsChanged()
        if let dst = node.destination {
            let name = node.destinationName(for: follower.entry.name)
            do {
                let entry = follower.entry
                let opened = MeteredSource(try await source.openFile(entry.name, in: follower.sourceDirectory, listed: entry), meter: meter)
                var writeOptions = WriteOptions()
                writeOptions.sparse = options.sparse
                _ = try await destination.putFile(name, in: dst, from: opened, attributes: { [self] status in
                    self.attributes(for: FileEntry(name: entry.name, status: status), isNew: true)
                }, options: writeOptions)
                reporter.statistics.add(.regularTransferred)
                reporter.changed(ItemizedChange(update: transferUpdate, kind: .regular, isNew: follower.existing == nil), path: node.path(of: name))
            } catch {
                reporter.error("\(error)")
            }
        }
        await release(node)
    }
}
