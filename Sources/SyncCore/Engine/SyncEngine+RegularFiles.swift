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
            switch hardLinks.claim(entry.status, path: path, follower: follower) {
            case .leader:
                isLeader = true
            case .linkTo(let leaderPath):
                await linkFollower(follower, to: leaderPath, retained: false)
                return
            case .queued:
                node.retain()
                return
            case .transferAlone:
                break
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
                                      change: ItemizedChange(update: .received, kind: .regular, isNew: true),
                                      isHardLinkLeader: isLeader))
            return
        }
        var decision = QuickCheck.decide(source: QuickCheck.Version(entry.status), destination: QuickCheck.Version(existing.status),
                                         rule: timeRule, options: options)
        var change = ItemizedChange(update: .received, kind: .regular)
        if decision == .compareChecksums {
            change.checksum = await !checksumsMatch(entry, in: srcDir, and: name, in: dst)
            decision = change.checksum ? .transfer : .upToDate
        }
        switch decision {
        case .skip:
            if isLeader { await completeLeader(entry, succeeded: true) }
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
            if existing.status.linkCount > 1, let fresh = try? await destination.entry(name, in: dst, followSymlink: false) {
                // Another name of this inode may have been fixed already in this run.
                existing = fresh
            }
            attributeChanges(&change, source: entry, destination: existing)
            if change.isSignificant {
                reporter.changed(change, path: path)
                do {
                    try await destination.setAttributes(name, in: dst, kind: .regular, attributesToFix(source: entry, change: change))
                } catch {
                    reporter.error("\(error)")
                }
            }
            if options.removeSourceFiles { await removeSource(entry, in: srcDir) }
            if isLeader { await completeLeader(entry, succeeded: true) }
        }
    }

    func checksumsMatch(_ entry: FileEntry, in srcDir: DirectoryRef, and name: [UInt8], in dst: DirectoryRef) async -> Bool {
        await checksumsMatch(entry, in: srcDir) { try await destination.openFile(name, in: dst, listed: nil) }
    }

    /// `-c`: whether the source file's bytes equal those of the file `openOther` opens.
    func checksumsMatch(_ entry: FileEntry, in srcDir: DirectoryRef, other openOther: () async throws -> any FileSource) async -> Bool {
        do {
            let a = try await source.openFile(entry.name, in: srcDir, listed: entry)
            let b = try await openOther()
            return try await ContentChecksum.digest(of: a) == ContentChecksum.digest(of: b)
        } catch {
            return false
        }
    }

    /// `--link-dest`/`--compare-dest`: a matching file in an alternate tree (by the quick check,
    /// or with `-c` by checksum) is linked or skipped instead of copied. Returns `true` when handled.
    func useAlternateDestination(for entry: FileEntry, from srcDir: DirectoryRef, name: [UInt8], path: [UInt8], node: DirectoryNode,
                                 destinationDirectory dst: DirectoryRef) async -> Bool? {
        let alternates = context.withLock { $0.alternateDestinations }
        guard !alternates.isEmpty else { return nil }
        for (ref, link) in alternates {
            // Paths into an alternate tree never follow a symlink in it (see Backend.entry(atPath:beneath:)).
            guard let found = try? await destination.entry(atPath: path, beneath: ref), found.kind == .regular else { continue }
            let status = found.status
            switch QuickCheck.decide(source: QuickCheck.Version(entry.status), destination: QuickCheck.Version(status),
                                     rule: timeRule, options: options) {
            case .upToDate: break
            case .compareChecksums:
                guard await checksumsMatch(entry, in: srcDir, other: { try await destination.openFile(atPath: path, beneath: ref) })
                else { continue }
            case .transfer, .skip: continue
            }
            // With -c the bytes may match while the time differs: rsync then copies (a link or a
            // left-out file would keep the alternate's time).
            if options.preserveTimes && !QuickCheck.sameModificationTime(entry.status.mtime, status.mtime, window: options.modifyWindow) {
                continue
            }
            if link {
                let wanted = attributes(for: entry, isNew: false)
                if let p = wanted.permissions, p != status.permissions { continue }
                if let u = wanted.uid, u != status.uid { continue }
                if let g = wanted.gid, g != status.gid { continue }
                do {
                    try await destination.makeHardLink(name, in: dst, toPath: path, beneath: ref)
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
}
