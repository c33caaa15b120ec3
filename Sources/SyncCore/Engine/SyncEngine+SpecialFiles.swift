#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// Symlinks, devices and special files: created, replaced or fixed in place by the walker.
extension SyncEngine {

    func handleSymlink(_ entry: FileEntry, from srcDir: DirectoryRef, name: [UInt8], existing: FileEntry?, node: DirectoryNode,
                       destinationDirectory dst: DirectoryRef) async {
        let path = node.path(of: name)
        let target = entry.linkTarget ?? []
        var change = ItemizedChange(update: .localChange, kind: .symlink, isNew: existing == nil)
        if existing == nil {
            // --compare-dest/--link-dest: an identical symlink there means nothing to do here.
            for (ref, kind) in context.withLock({ $0.alternateDestinations }) {
                guard let other = (try? await destination.entry(atPath: path, beneath: ref)) ?? nil,
                      other.kind == .symlink, other.linkTarget == target else { continue }
                // --copy-dest: the symlink is made here as it would be anyway.
                if kind == .copy { break }
                if kind == .link {
                    try? await destination.makeHardLink(name, in: dst, toPath: path, beneath: ref)
                    node.markContentsChanged()
                }
                return
            }
        }
        if let existing {
            if existing.linkTarget != target {
                change.checksum = true
                attributeChanges(&change, source: entry, destination: existing)
                guard await removeForReplacement(existing, name: name, in: dst, node: node) else { return }
            } else {
                change.update = .attributesOnly
                attributeChanges(&change, source: entry, destination: existing)
                // Unchanged, it is still a line at -ii.
                reporter.changed(change, path: path, linkTarget: target, status: entry.status, sourcePath: senderPath(of: path))
                if change.isSignificant {
                    do {
                        try await destination.setAttributes(name, in: dst, kind: .symlink, attributesToFix(source: entry, change: change))
                    } catch { reporter.error("\(error)") }
                }
                if options.removeSourceFiles { await removeSource(entry, in: srcDir) }
                return
            }
        }
        node.markContentsChanged()
        do {
            try await destination.makeSymlink(name, in: dst, target: target)
            var a = attributes(for: entry, isNew: true)
            a.permissions = nil
            if !a.isEmpty { try await destination.setAttributes(name, in: dst, kind: .symlink, a) }
            if existing == nil { reporter.statistics.countCreated(.symlink) }
            reporter.changed(change, path: path, linkTarget: target, status: entry.status, sourcePath: senderPath(of: path))
            if options.removeSourceFiles { await removeSource(entry, in: srcDir) }
        } catch {
            reporter.error("\(error)")
        }
    }

    func handleSpecial(_ entry: FileEntry, name: [UInt8], existing: FileEntry?, node: DirectoryNode, destinationDirectory dst: DirectoryRef) async {
        let path = node.path(of: name)
        var change = ItemizedChange(update: .localChange, kind: entry.kind, isNew: existing == nil)
        if let existing {
            if existing.status.rdev == entry.status.rdev || !entry.kind.isDevice {
                change.update = .attributesOnly
                attributeChanges(&change, source: entry, destination: existing)
                reporter.changed(change, path: path, status: entry.status, sourcePath: senderPath(of: path))
                if change.isSignificant {
                    do {
                        try await destination.setAttributes(name, in: dst, kind: entry.kind, attributesToFix(source: entry, change: change))
                    } catch { reporter.error("\(error)") }
                }
                return
            }
            change.checksum = true
            guard await removeForReplacement(existing, name: name, in: dst, node: node) else { return }
        }
        node.markContentsChanged()
        do {
            try await destination.makeNode(name, in: dst, status: entry.status)
            try await destination.setAttributes(name, in: dst, kind: entry.kind, attributes(for: entry, isNew: true))
            if existing == nil { reporter.statistics.countCreated(entry.kind) }
            reporter.changed(change, path: path, status: entry.status, sourcePath: senderPath(of: path))
        } catch {
            reporter.error("\(error)")
        }
    }

    /// Removes (or with `-b` backs up) a non-directory that a new version replaces.
    func removeForReplacement(_ existing: FileEntry, name: [UInt8], in dst: DirectoryRef, node: DirectoryNode) async -> Bool {
        if options.backup { return await makeBackup(name: name, in: dst, directoryPath: node.relativePath) != nil }
        do {
            try await destination.remove(name, in: dst, kind: existing.kind) { _, _ in }
            return true
        } catch {
            reporter.error("\(error)")
            return false
        }
    }
}
