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
            if let handled = useAlternateDestination(for: entry, from: srcDir, name: name, path: path, node: node, destinationDirectory: dst),
               handled {
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

    func checksumsMatch(_ entry: FileEntry, in srcDir: DirectoryRef, and name: [UInt8], in dst: DirectoryRef) -> Bool {
        checksumsMatch(entry, in: srcDir) { try destination.openForReading(name, in: dst) }
    }

    /// `-c`: whether the source file's bytes equal those of the file `openOther` opens.
    func checksumsMatch(_ entry: FileEntry, in srcDir: DirectoryRef, other openOther: () throws -> Int32) -> Bool {
        do {
            let a = try source.openForReading(entry.name, in: srcDir)
            defer { FileSystem.close(a) }
            let b = try openOther()
            defer { FileSystem.close(b) }
            return try ContentChecksum.digest(of: a, path: srcDir.path(of: entry.name)) == ContentChecksum.digest(of: b, path: "")
        } catch {
            return false
        }
    }

    /// `--link-dest`/`--compare-dest`: a matching file in an alternate tree (by the quick check,
    /// or with `-c` by checksum) is linked or skipped instead of copied. Returns `true` when handled.
    func useAlternateDestination(for entry: FileEntry, from srcDir: DirectoryRef, name: [UInt8], path: [UInt8], node: DirectoryNode,
                                 destinationDirectory dst: DirectoryRef) -> Bool? {
        let alternates = context.withLock { $0.alternateDestinations }
        guard !alternates.isEmpty else { return nil }
        for (ref, link) in alternates {
            // Paths into an alternate tree never follow a symlink in it (see FileSystem.withParent).
            guard let status = try? FileSystem.linkStatus(beneath: ref.descriptor, path, path: ""), status.kind == .regular else { continue }
            switch QuickCheck.decide(source: entry.status, destination: status, options: options) {
            case .upToDate: break
            case .compareChecksums:
                guard checksumsMatch(entry, in: srcDir, other: {
                    try FileSystem.withParent(of: path, beneath: ref.descriptor, path: ref.path(of: path)) { (dir, name) throws(FileSystemError) in
                        try FileSystem.openForReading(name, in: dir, path: ref.path(of: path))
                    }
                })
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
                    if !options.dryRun {
                        try FileSystem.withParent(of: path, beneath: ref.descriptor, path: ref.path(of: path)) { (dir, alternate) throws(FileSystemError) in
                            try FileSystem.makeHardLink(name, in: dst.descriptor, to: alternate, in: dir, path: dst.path(of: name))
                        }
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
}
