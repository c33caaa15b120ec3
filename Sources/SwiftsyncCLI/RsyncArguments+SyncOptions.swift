import SyncSystem
import ArgumentParser
import SyncCore
#if canImport(Glibc)
import Glibc
#endif

extension RsyncArguments {
    /// Turns parsed arguments into ``SyncOptions`` for a run with `sourceCount` sources; bad
    /// values throw a ``ValidationError``.
    func makeOptions(sourceCount: Int) throws -> SyncOptions {
        var opts = SyncOptions()
        if a { opts.setArchive() }
        if r { opts.recursive = true; opts.explicitRecursive = true }
        if l { opts.preserveLinks = true }
        opts.copyLinks = copyLinks
        if p { opts.preservePermissions = true }
        opts.executability = executability
        opts.safeLinks = safeLinks
        opts.copyUnsafeLinks = copyUnsafeLinks
        opts.mungeLinks = mungeLinks
        if t { opts.preserveTimes = true }
        opts.omitDirectoryTimes = omitDirTimes
        opts.omitLinkTimes = omitLinkTimes
        opts.preserveAccessTimes = atimes
        if g { opts.preserveGroup = true }
        if o { opts.preserveOwner = true }
        if D || devices { opts.preserveDevices = true }
        if D || specials { opts.preserveSpecials = true }
        opts.hardLinks = hardLinks
        opts.sparse = sparse
        opts.oneFileSystem = x
        opts.relative = relative
        opts.dirs = d
        // --no-implied-dirs is a negation (taken out before parsing, undone by a later --implied-dirs).
        opts.impliedDirectories = !negations.contains("implied-dirs")
        opts.dryRun = n
        // --delete-delay finds deletions while walking and makes them at the end, which is how
        // --delete-after is done here too (rsync's --delete-after walks the tree again).
        if deleteBefore { opts.delete = .before } else if deleteAfter || deleteDelay { opts.delete = .after } else if deleteDuring || del || delete || deleteExcluded {
            opts.delete = .during
        }
        opts.deleteExcluded = deleteExcluded
        opts.force = force
        // rsync reads a negative --max-delete as 0: report deletions, delete nothing.
        opts.maxDelete = maxDelete.map { max($0, 0) }
        opts.checksum = c
        opts.sizeOnly = sizeOnly
        opts.ignoreTimes = ignoreTimes
        opts.modifyWindow = modifyWindow
        opts.update = u
        opts.ignoreExisting = ignoreExisting
        opts.existingOnly = existing
        opts.inPlace = inplace
        opts.wholeFile = !noWholeFile
        opts.partial = partial || P
        opts.partialDirectory = partialDir
        opts.backup = b || backupDir != nil
        opts.backupDirectory = backupDir
        opts.backupSuffix = suffix
        opts.linkDest = linkDest
        opts.compareDest = compareDest
        opts.copyDest = copyDest
        opts.numericIds = numericIds
        opts.compression = try makeCompression()
        opts.removeSourceFiles = removeSourceFiles
        opts.makePath = mkpath
        opts.jobs = jobs
        opts.walkers = walkers
        let mask = umask(0)
        umask(mask)
        opts.umask = UInt32(mask)
        if let bwlimit {
            guard let rate = NumberFormatting.parseSize(bwlimit, defaultUnit: 1024), rate >= 0 else {
                throw ValidationError("invalid --bwlimit value \"\(bwlimit)\"")
            }
            // rsync limits in whole KiB per second, so it refuses a rate that would round to none.
            if rate > 0 && rate < 512 {
                throw ValidationError("--bwlimit value \"\(bwlimit)\" is too small (min: 512 bytes, or 0 for unlimited)")
            }
            opts.bandwidthLimit = rate > 0 ? rate : nil
        }
        if !chmod.isEmpty {
            do {
                opts.chmod = try ChmodRules(chmod.joined(separator: ","))
            } catch {
                throw ValidationError(error.description)
            }
        }
        applyNegations(to: &opts)
        opts.filters = try makeFilters(deleteExcluded: deleteExcluded)
        if let filesFrom {
            let bytes = try readArgumentFile(filesFrom, what: "--files-from")
            let separator: UInt8 = from0 ? 0 : UInt8(ascii: "\n")
            opts.filesFrom = bytes.split(separator: separator).map { line in
                var l = Array(line)
                if !from0, l.last == UInt8(ascii: "\r") { l.removeLast() }
                return l
            }.filter { !$0.isEmpty && $0.first != UInt8(ascii: "#") && $0.first != UInt8(ascii: ";") } // comments, with --from0 too
            if sourceCount != 1 { throw ValidationError("--files-from takes exactly one SRC directory and a DEST") }
            // --files-from is -R already (its own walk); without -R rsync would flatten the paths.
            if negations.contains("relative") { throw ValidationError("--no-relative with --files-from is not supported (the listed paths keep their directories)") }
            opts.relative = false
        }
        return opts
    }

    private func applyNegations(to opts: inout SyncOptions) {
        let n = negations
        if n.contains("owner") { opts.preserveOwner = false }
        if n.contains("group") { opts.preserveGroup = false }
        if n.contains("perms") { opts.preservePermissions = false }
        if n.contains("times") { opts.preserveTimes = false }
        if n.contains("links") { opts.preserveLinks = false }
        if n.contains("devices") { opts.preserveDevices = false }
        if n.contains("specials") { opts.preserveSpecials = false }
        if n.contains("recursive") { opts.recursive = false; opts.explicitRecursive = false }
        if n.contains("hard-links") { opts.hardLinks = false }
        if n.contains("sparse") { opts.sparse = false }
        if n.contains("one-file-system") { opts.oneFileSystem = false }
        if n.contains("atimes") { opts.preserveAccessTimes = false }
        if n.contains("checksum") { opts.checksum = false }
        if n.contains("inplace") { opts.inPlace = false }
        if n.contains("partial") { opts.partial = false }
        if n.contains("mkpath") { opts.makePath = false }
        if n.contains("numeric-ids") { opts.numericIds = false }
        if n.contains("whole-file") { opts.wholeFile = false }
        if n.contains("compress") { opts.compression.requested = 0 }
        if n.contains("omit-dir-times") { opts.omitDirectoryTimes = false }
        if n.contains("omit-link-times") { opts.omitLinkTimes = false }
        if n.contains("relative") { opts.relative = false }
        if n.contains("dirs") { opts.dirs = false }
        if n.contains("munge-links") { opts.mungeLinks = false }
    }

    /// The compression options; a compress name rsync does not know ends the run as rsync
    /// does (code 4, "requested action not supported").
    private func makeCompression() throws(RunEnded) -> CompressionOptions {
        if let compressChoice, CompressionOptions.algorithm(named: compressChoice) == nil {
            try fail("unknown compress name: \(compressChoice)", .unsupported)
        }
        var compression = CompressionOptions()
        compression.requested = z + (oldCompress || newCompress ? 1 : 0)
        compression.choice = compressChoice.flatMap(CompressionOptions.algorithm(named:))
        compression.level = compressLevel.flatMap(CompressionOptions.number)
        compression.threads = compressThreads.flatMap(CompressionOptions.number)
        compression.skippedSuffixes = skipCompress.map(CompressionOptions.suffixes)
        return compression
    }

    private func makeFilters(deleteExcluded: Bool) throws -> FilterList {
        var list = FilterList()
        do {
            for argument in orderedFilterArguments {
                switch argument {
                case .rule(let text, let source):
                    try FilterParser.add(text, as: source, deleteExcluded: deleteExcluded, to: &list)
                case .ruleFile(let path, let source):
                    let bytes = try readArgumentFile(path, what: source == .exclude ? "--exclude-from" : "--include-from")
                    for line in FilterParser.lines(ofRuleFile: bytes, nulSeparated: from0) {
                        try FilterParser.add(bytes: line, as: source, deleteExcluded: deleteExcluded, to: &list)
                    }
                }
            }
        } catch let error as FilterParser.ParseError {
            throw ValidationError(error.description)
        }
        if let minSize {
            guard let value = NumberFormatting.parseSize(minSize) else { throw ValidationError("invalid --min-size value \"\(minSize)\"") }
            list.minimumSize = Int64(value)
        }
        if let maxSize {
            guard let value = NumberFormatting.parseSize(maxSize) else { throw ValidationError("invalid --max-size value \"\(maxSize)\"") }
            list.maximumSize = Int64(value)
        }
        return list
    }

    /// Reads a file named on the command line (`-` is stdin); failure is a usage error.
    private func readArgumentFile(_ path: String, what: String) throws -> [UInt8] {
        do {
            // A --files-from list may name millions of files: no size limit.
            return path == "-" ? try FileSystem.readToEnd(STDIN_FILENO, limit: .max, path: "stdin")
                : try FileSystem.readWholeFile(path, limit: .max)
        } catch {
            throw ValidationError("failed to \(error.operation == "read" ? "read" : "open") \(what) file \(path): \(error.reason)")
        }
    }
}
