#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// Regular files: quick check, checksums, hard-link groups, --link-dest/--compare-dest.
extension SyncEngine {

    func handleRegular(_ entry: FileEntry, from srcDir: DirectoryRef, name: [UInt8], existing: FileEntry?,
                               node: DirectoryNode, destinationDirectory dst: DirectoryRef) async {
        let path = node.path(of: name)
        var isLeader = false
        if let hardLinks, entry.status.linkCount > 1 {
            let follower = HardLinkRegistry.Follower(node: node, sourceDirectory: srcDir, entry: entry, existing: existing)
            // The count a queued follower holds is taken before the registry can hand it to the
            // leader's worker: taken after, a leader completing in between released it first,
            // and the directory was finalized (its handles closed) while still being walked.
            node.retain()
            switch hardLinks.claim(entry.status, path: path, follower: follower) {
            case .leader:
                isLeader = true
                await release(node)
            case .linkTo(let leaderPath):
                await release(node)
                await linkFollower(follower, to: leaderPath, retained: false)
                return
            case .queued:
                return
            case .transferAlone:
                await release(node)
            }
        }

        guard let existing else {
            if let handled = await useAlternateDestination(for: entry, from: srcDir, name: name, path: path, node: node,
                                                           destinationDirectory: dst),
               handled {
                if isLeader { await completeLeader(entry, succeeded: true) }
                return
            }
            await enqueue(TransferJob(node: node, sourceDirectory: srcDir, entry: entry, existing: nil,
                                      change: ItemizedChange(update: transferUpdate, kind: .regular, isNew: true),
                                      isHardLinkLeader: isLeader))
            return
        }
        var decision = QuickCheck.decide(source: QuickCheck.Version(entry.status), destination: QuickCheck.Version(existing.status),
                                         rule: timeRule, options: options)
        var change = ItemizedChange(update: transferUpdate, kind: .regular)
        if decision == .compareChecksums {
            change.checksum = await !checksumsMatch(entry, in: srcDir, and: existing, named: name, in: dst)
            decision = change.checksum ? .transfer : .upToDate
        }
        switch decision {
        case .skip:
            reporter.skipped(path: path, .exists)
            if isLeader { await completeLeader(entry, succeeded: true) }
            return
        case .transfer:
            change.size = entry.status.size != existing.status.size
            attributeChanges(&change, source: entry, destination: existing)
            if !comparesAttributes && !options.sizeOnly && !options.checksum {
                // Where times are when an object was written, the 't' says the times found it stale.
                change.time = options.ignoreTimes || QuickCheck.isStale(QuickCheck.Version(entry.status), QuickCheck.Version(existing.status),
                                                                        rule: timeRule, window: options.modifyWindow)
            }
            if !options.preserveTimes { change.timeIsTransferTime = true }
            await enqueue(TransferJob(node: node, sourceDirectory: srcDir, entry: entry, existing: existing,
                                      change: change, isHardLinkLeader: isLeader))
        case .upToDate, .compareChecksums:
            change.update = .attributesOnly
            var existing = existing
            if existing.status.linkCount > 1, let fresh = try? await destination.entry(name, in: dst, followSymlink: false) {
                // Another name of this inode may have been fixed already in this run.
                existing = fresh
            }
            attributeChanges(&change, source: entry, destination: existing)
            if !change.isSignificant { reporter.skipped(path: path, .upToDate) }
            // Unchanged, it is still a line at -ii.
            reporter.changed(change, path: path, status: entry.status, sourcePath: senderPath(of: path))
            if change.isSignificant {
                do {
                    try await destination.setAttributes(name, in: dst, kind: .regular,
                                                        attributesToFix(source: entry, change: change, destination: existing))
                } catch {
                    reporter.error("\(error)")
                }
            }
            if options.removeSourceFiles { await removeSource(entry, in: srcDir) }
            if isLeader { await completeLeader(entry, succeeded: true) }
        }
    }

    /// `-c`: whether the source file's bytes equal those of the destination's `existing`. A side
    /// with a checksum of its own (S3's ETag) answers without its bytes being read; else both
    /// are hashed.
    func checksumsMatch(_ entry: FileEntry, in srcDir: DirectoryRef, and existing: FileEntry, named name: [UInt8],
                        in dst: DirectoryRef) async -> Bool {
        do {
            let sourceFile = try await source.openFile(entry.name, in: srcDir, listed: entry)
            if let same = try await destination.sameContents(existing, in: dst, as: sourceFile) { return same }
            let destinationFile = try await destination.openFile(name, in: dst, listed: existing)
            if let same = try await source.sameContents(entry, in: srcDir, as: destinationFile) { return same }
            return try await ContentChecksum.digest(of: sourceFile) == ContentChecksum.digest(of: destinationFile)
        } catch {
            return false
        }
    }

    /// `--link-dest`/`--copy-dest`/`--compare-dest`: a matching file in an alternate tree (by the
    /// quick check, or with `-c` by checksum) is linked, copied from there, or left out instead of
    /// sent. Returns `true` when handled.
    func useAlternateDestination(for entry: FileEntry, from srcDir: DirectoryRef, name: [UInt8], path: [UInt8], node: DirectoryNode,
                                 destinationDirectory dst: DirectoryRef) async -> Bool? {
        let alternates = context.withLock { $0.alternateDestinations }
        guard !alternates.isEmpty else { return nil }
        for (ref, kind) in alternates {
            // Paths into an alternate tree never follow a symlink in it (see Backend.entry(atPath:beneath:)).
            guard let found = try? await destination.entry(atPath: path, beneath: ref), found.kind == .regular else { continue }
            let status = found.status
            switch QuickCheck.decide(source: QuickCheck.Version(entry.status), destination: QuickCheck.Version(status),
                                     rule: timeRule, options: options) {
            case .upToDate: break
            case .compareChecksums:
                guard await alternateMatches(entry, in: srcDir, found, at: path, beneath: ref) else { continue }
            case .transfer, .skip: continue
            }
            // With -c the bytes may match while the time differs: rsync then copies (a link or a
            // left-out file would keep the alternate's time). Where the destination's time is
            // when it was written (S3), the copy made from the alternate gets the source's.
            if options.preserveTimes && timeRule == .sameModificationTime
                && !QuickCheck.sameModificationTime(entry.status.mtime, status.mtime, window: options.modifyWindow) {
                continue
            }
            if kind != .compare {
                let wanted = attributes(for: entry, isNew: false)
                if kind == .link && comparesAttributes {
                    if let p = wanted.permissions, p != status.permissions { continue }
                    if let u = wanted.uid, u != status.uid { continue }
                    if let g = wanted.gid, g != status.gid { continue }
                }
                do {
                    if kind == .link && destination.capabilities.contains(.hardLinks) {
                        try await destination.makeHardLink(name, in: dst, toPath: path, beneath: ref)
                    } else {
                        // --copy-dest, or no hard links (S3): a copy from the alternate, made
                        // server-side where it can be.
                        let alternate = try await destination.openFile(atPath: path, beneath: ref)
                        _ = try await destination.putFile(name, in: dst, from: alternate, attributes: { _ in wanted }, options: WriteOptions())
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

    /// `-c` against a file in an alternate tree.
    private func alternateMatches(_ entry: FileEntry, in srcDir: DirectoryRef, _ found: FileEntry, at path: [UInt8],
                                  beneath ref: DirectoryRef) async -> Bool {
        do {
            let sourceFile = try await source.openFile(entry.name, in: srcDir, listed: entry)
            if let same = try await destination.sameContents(found, in: ref, as: sourceFile) { return same }
            let other = try await destination.openFile(atPath: path, beneath: ref)
            return try await ContentChecksum.digest(of: sourceFile) == ContentChecksum.digest(of: other)
        } catch {
            return false
        }
    }
}
