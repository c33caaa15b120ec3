import SyncSystem

extension SyncEngine {
    /// `-R/--relative`: each SRC keeps its path under the destination (`/etc/ssh` becomes
    /// `DEST/etc/ssh`, `/var/./log` becomes `DEST/log`). The directories on the way (implied
    /// directories) are sent with their attributes but not walked; what a SRC names is walked as
    /// usual. The kept paths become a tree of names, as `--files-from`'s do, so one walk serves
    /// sources read from different anchors.
    func resolveRelativeSources(_ sources: [String]) async -> ResolvedSources {
        var resolved = ResolvedSources()
        var paths: [[UInt8]] = []
        for argument in sources {
            let relative: RelativeSource
            do {
                relative = try RelativeSource(argument)
            } catch {
                reporter.error(error.message)
                continue
            }
            do {
                guard let anchorDir = try await source.openRoot(Array(relative.anchor.utf8), followSymlink: true) else {
                    reporter.error("change_dir \"\(absolute(relative.anchor))\" failed: No such file or directory (2)")
                    continue
                }
                let anchorName = SenderPaths.clean(Array(relative.anchor.utf8))
                // A leading `./` is an implied directory (not sent under --no-implied-dirs);
                // `dir/./` names the directory itself.
                let sendsAnchor = relative.sendsAnchor && (relative.path.isEmpty || options.impliedDirectories)
                if sendsAnchor && resolved.contentsRoot == nil {
                    resolved.contentsRoot = (anchorDir, FileEntry(name: [UInt8(ascii: ".")], status: try await source.status(of: anchorDir)))
                    resolved.anyDirectory = true
                }
                if relative.path.isEmpty {
                    // The anchor's own contents (`dir/./`): each entry walked whole, extras deleted.
                    let listed = try await source.entries(of: anchorDir)
                    resolved.rootEntries += listed.map { (anchorDir, $0) }
                    paths += listed.map(\.name)
                    for entry in listed where resolved.senderPaths.parents[entry.name] == nil {
                        resolved.senderPaths.parents[entry.name] = anchorName
                    }
                    resolved.rootIsWhole = true
                    continue
                }
                // The whole path must exist: an implied directory alone is not what was asked for.
                let (parent, name) = split(Array(argument.utf8))
                guard let parentDir = try await source.openRoot(parent, followSymlink: true),
                      try await source.entry(name, in: parentDir, followSymlink: false) != nil,
                      let top = try await source.entry(relative.topName, in: anchorDir, followSymlink: false) else {
                    reporter.error("link_stat \"\(absolute(argument))\" failed: No such file or directory (2)")
                    continue
                }
                let keepsDirectories = relative.path.contains(UInt8(ascii: "/"))
                if top.kind == .directory { resolved.anyDirectory = true }
                if keepsDirectories { resolved.forcesDirectory = true }
                resolved.rootEntries.append((anchorDir, top))
                paths.append(relative.trailingSlash ? relative.path + [UInt8(ascii: "/")] : relative.path)
                if resolved.senderPaths.parents[top.name] == nil { resolved.senderPaths.parents[top.name] = anchorName }
            } catch {
                reporter.error("\(error)")
            }
        }
        resolved.tree = FilesFromTree(paths: paths)
        return resolved
    }

    /// Whether `name` in `node` is only on the way to a kept path (an implied directory) under
    /// `--no-implied-dirs`: then it is not sent — made with the default mode where missing, left
    /// as it is where present.
    func isUnsentImpliedDirectory(_ name: [UInt8], in node: DirectoryNode) -> Bool {
        guard options.relative && !options.impliedDirectories, let sub = node.filesFrom?.children[name] else { return false }
        return !sub.isListed
    }
}
