import ArgumentParser
import SyncCore
#if canImport(Glibc)
import Glibc
#endif

/// rsync's options, one group shared by every command that runs a sync (`sync`, `snapshot`),
/// so that both accept and mean the same things.
struct RsyncArguments: ParsableArguments {
    // MARK: What to copy
    @Flag(name: [.short, .customLong("archive")], help: "Archive mode: -rlptgoD.") var a = false
    @Flag(name: [.short, .customLong("recursive")], help: "Recurse into directories.") var r = false
    @Flag(name: [.short, .customLong("links")], help: "Copy symlinks as symlinks.") var l = false
    @Flag(name: [.customShort("L"), .customLong("copy-links")], help: "Copy the files symlinks point to.") var copyLinks = false
    @Flag(name: .customLong("safe-links"), help: "Leave out symlinks that point outside the transfer.") var safeLinks = false
    @Flag(name: .customLong("copy-unsafe-links"), help: "Copy what symlinks pointing outside the transfer point to.") var copyUnsafeLinks = false
    @Flag(name: .customLong("munge-links"), help: "Send symlinks an rsync daemon munged (/rsyncd-munged/...) unmunged.") var mungeLinks = false
    @Flag(name: [.short, .customLong("perms")], help: "Preserve permissions.") var p = false
    @Flag(name: [.customShort("E"), .customLong("executability")], help: "Without -p, carry over whether a file is executable.") var executability = false
    @Flag(name: [.short, .customLong("times")], help: "Preserve modification times.") var t = false
    @Flag(name: [.customShort("O"), .customLong("omit-dir-times")], help: "Omit directories from --times.") var omitDirTimes = false
    @Flag(name: [.customShort("J"), .customLong("omit-link-times")], help: "Omit symlinks from --times.") var omitLinkTimes = false
    @Flag(name: [.customShort("U"), .customLong("atimes")], help: "Preserve access times.") var atimes = false
    @Flag(name: [.short, .customLong("group")], help: "Preserve group.") var g = false
    @Flag(name: [.short, .customLong("owner")], help: "Preserve owner.") var o = false
    @Flag(name: [.customShort("D")], help: "Same as --devices --specials.") var D = false
    @Flag(help: "Preserve device files.") var devices = false
    @Flag(help: "Preserve special files (FIFOs, sockets).") var specials = false
    @Flag(name: [.customShort("H"), .customLong("hard-links")], help: "Preserve hard links.") var hardLinks = false
    @Flag(name: [.customShort("S"), .customLong("sparse")], help: "Keep holes of sparse files.") var sparse = false
    @Flag(name: [.short, .customLong("one-file-system")], help: "Do not cross filesystem boundaries.") var x = false
    @Flag(name: [.short, .customLong("dirs")], help: "Make directories without recursing into them.") var d = false
    @Flag(name: [.customShort("R"), .customLong("relative")], help: "Keep each SRC's path under DEST (/./ marks where it starts).") var relative = false
    @Flag(name: .customLong("implied-dirs"), help: .hidden) var impliedDirs = false
    // Listed for --help; `main` takes --no-implied-dirs out with the other --no-X forms.
    @Flag(name: .customLong("no-implied-dirs"), help: "With -R, do not send the directories on the way to each SRC.") var noImpliedDirs = false

    // MARK: Output
    @Flag(name: [.short, .customLong("dry-run")], help: "Show what would be done, change nothing.") var n = false
    @Flag(name: [.short, .customLong("itemize-changes")], help: "Output a change summary for every update.") var i: Int
    @Flag(name: [.short, .customLong("verbose")], help: "More output (repeatable).") var v: Int
    @Flag(name: [.short, .customLong("quiet")], help: "Suppress non-error messages.") var q = false
    @Flag(help: "Print rsync-style transfer statistics at the end.") var stats = false
    @Flag(help: "Print one JSON summary object on stdout at the end (other output goes to stderr).") var json = false
    @Flag(help: "Show progress per file.") var progress = false
    @Option(help: ArgumentHelp("progress2: one live whole-run progress line.", valueName: "FLAGS")) var info: [String] = []
    @Flag(name: [.customShort("h"), .customLong("human-readable")], help: "Human-readable numbers.") var humanReadable = false
    @Flag(name: [.customShort("P")], help: "Same as --partial --progress.") var P = false
    @Option(name: [.customLong("out-format"), .customLong("log-format")], parsing: .unconditional,
            help: ArgumentHelp("Print a line per change in this format (rsync's %-escapes: %i %n %L %l %M ...).", valueName: "FORMAT")) var outFormat: String?
    @Option(name: .customLong("log-file"), help: ArgumentHelp("Append what the run does to FILE.", valueName: "FILE")) var logFile: String?
    @Option(name: .customLong("log-file-format"), parsing: .unconditional,
            help: ArgumentHelp("The --log-file lines' format (default \"%i %n%L\").", valueName: "FORMAT")) var logFileFormat: String?

    // MARK: Deletion
    @Flag(help: "Delete extraneous files from destination directories.") var delete = false
    @Flag(name: .customLong("del"), help: "An alias for --delete-during.") var del = false
    @Flag(name: .customLong("delete-before"), help: "Delete before transferring.") var deleteBefore = false
    @Flag(name: .customLong("delete-during"), help: "Delete while walking (the default for --delete).") var deleteDuring = false
    @Flag(name: .customLong("delete-after"), help: "Delete after transferring.") var deleteAfter = false
    @Flag(name: .customLong("delete-delay"), help: "Find deletions during, delete after.") var deleteDelay = false
    @Flag(name: .customLong("delete-excluded"), help: "Also delete excluded files from destination directories.") var deleteExcluded = false
    @Flag(help: "Force deletion of non-empty directories being replaced.") var force = false
    // Numbers may be negative (`--max-delete -1`), so the next argument is the value whatever it looks like.
    @Option(name: .customLong("max-delete"), parsing: .unconditional, help: "Delete no more than NUM files.") var maxDelete: Int?

    // MARK: Filters
    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("Exclude files matching PATTERN.", valueName: "PATTERN")) var exclude: [String] = []
    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("Don't exclude files matching PATTERN.", valueName: "PATTERN")) var include: [String] = []
    @Option(name: .customLong("exclude-from"), help: ArgumentHelp("Read exclude patterns from FILE.", valueName: "FILE")) var excludeFrom: [String] = []
    @Option(name: .customLong("include-from"), help: ArgumentHelp("Read include patterns from FILE.", valueName: "FILE")) var includeFrom: [String] = []
    @Option(name: [.customShort("f"), .customLong("filter")], parsing: .unconditionalSingleValue, help: ArgumentHelp("Add a file-filtering RULE.", valueName: "RULE")) var filter: [String] = []
    @Option(name: .customLong("files-from"), help: ArgumentHelp("Read the list of source files from FILE (- for stdin).", valueName: "FILE")) var filesFrom: String?
    @Flag(name: [.customShort("0"), .customLong("from0")], help: "NUL-separated --files-from and rule files.") var from0 = false
    @Option(name: .customLong("min-size"), help: ArgumentHelp("Don't transfer files smaller than SIZE.", valueName: "SIZE")) var minSize: String?
    @Option(name: .customLong("max-size"), help: ArgumentHelp("Don't transfer files larger than SIZE.", valueName: "SIZE")) var maxSize: String?

    // MARK: Change detection
    @Flag(name: [.short, .customLong("checksum")], help: "Compare by checksum, not size and time.") var c = false
    @Flag(name: .customLong("size-only"), help: "Compare by size only.") var sizeOnly = false
    @Flag(name: [.customShort("I"), .customLong("ignore-times")], help: "Don't skip files that match size and time.") var ignoreTimes = false
    // rsync takes `--modify-window -1` (compare nanoseconds too), so the value may start with a dash.
    @Option(name: .customLong("modify-window"), parsing: .unconditional, help: ArgumentHelp("Compare times with this many seconds of slack.", valueName: "NUM")) var modifyWindow: Int64 = 0
    @Flag(name: [.short, .customLong("update")], help: "Skip files that are newer on the receiver.") var u = false
    @Flag(name: .customLong("ignore-existing"), help: "Skip updating files that exist on the receiver.") var ignoreExisting = false
    @Flag(name: .customLong("existing"), help: "Skip creating new files on the receiver.") var existing = false

    // MARK: How to write
    @Flag(name: [.customShort("W"), .customLong("whole-file")], help: "Copy files whole (the default locally).") var wholeFile = false
    // Listed for --help; `main` takes --no-whole-file/--no-W out with the other --no-X forms.
    @Flag(name: .customLong("no-whole-file"), help: "Use the delta algorithm against the existing destination file.") var noWholeFile = false
    @Flag(help: "Update destination files in place.") var inplace = false
    @Flag(help: "Keep partially transferred files when interrupted.") var partial = false
    @Option(name: .customLong("partial-dir"), help: ArgumentHelp("Put a partially transferred file into DIR.", valueName: "DIR")) var partialDir: String?
    @Flag(name: [.short, .customLong("backup")], help: "Make backups of replaced and deleted files.") var b = false
    @Option(name: .customLong("backup-dir"), help: ArgumentHelp("Make backups into this directory tree.", valueName: "DIR")) var backupDir: String?
    @Option(help: ArgumentHelp("Backup suffix (default ~ without --backup-dir).", valueName: "SUFFIX")) var suffix: String?
    @Option(name: .customLong("link-dest"), help: ArgumentHelp("Hard-link to files in DIR when unchanged.", valueName: "DIR")) var linkDest: [String] = []
    @Option(name: .customLong("compare-dest"), help: ArgumentHelp("Also compare destination files relative to DIR.", valueName: "DIR")) var compareDest: [String] = []
    @Option(name: .customLong("copy-dest"), help: ArgumentHelp("... and include copies of unchanged files.", valueName: "DIR")) var copyDest: [String] = []
    @Flag(name: .customLong("numeric-ids"), help: "Don't map uid/gid values by user/group name.") var numericIds = false
    @Flag(name: .customLong("remove-source-files"), help: "Sender removes synchronized files (non-directories).") var removeSourceFiles = false
    @Option(help: ArgumentHelp("Limit I/O bandwidth; KBytes per second (suffixes allowed).", valueName: "RATE")) var bwlimit: String?
    @Option(help: ArgumentHelp("Affect file and/or directory permissions.", valueName: "CHMOD")) var chmod: [String] = []
    @Flag(help: "Create the destination's path components.") var mkpath = false

    // MARK: Compression (only over a network: a local sync accepts it and compresses nothing, as rsync)
    @Flag(name: [.customShort("z"), .customLong("compress")], help: "Compress file data during the transfer (not locally, as rsync).") var z: Int
    @Flag(name: .customLong("old-compress"), help: .hidden) var oldCompress = false
    @Flag(name: .customLong("new-compress"), help: .hidden) var newCompress = false
    @Option(name: [.customLong("compress-choice"), .customLong("zc")], help: ArgumentHelp("Choose the compression algorithm: zstd lz4 zlibx zlib none.", valueName: "STR")) var compressChoice: String?
    // rsync reads `--zl=` as 0 and `--zl=-1` as -1: the value is taken whatever it looks like.
    @Option(name: [.customLong("compress-level"), .customLong("zl")], parsing: .unconditional, help: ArgumentHelp("Explicitly set the compression level.", valueName: "NUM")) var compressLevel: String?
    @Option(name: [.customLong("compress-threads"), .customLong("zt")], parsing: .unconditional, help: ArgumentHelp("Explicitly set the compression threads.", valueName: "NUM")) var compressThreads: String?
    @Option(name: .customLong("skip-compress"), help: ArgumentHelp("Skip compressing files with a suffix in LIST.", valueName: "LIST")) var skipCompress: String?

    // MARK: Remote and file-list options that a local sync has no use for (as rsync: accepted)
    @Option(name: .customLong("rsync-path"), help: ArgumentHelp("The program to run on the remote host (unused locally, as by rsync).", valueName: "PROGRAM")) var rsyncPath: String?
    @Flag(name: [.customLong("inc-recursive"), .customLong("i-r")], help: .hidden) var incRecursive = false
    // A local sync walks one directory at a time either way; the tree and the -i lines are the same.
    @Flag(name: [.customLong("no-inc-recursive"), .customLong("no-i-r")], help: "Send the whole file list first (no difference locally).") var noIncRecursive = false

    // MARK: Ours
    @Option(help: ArgumentHelp("Transfer workers.", valueName: "N")) var jobs: Int = SyncDefaults.jobs
    @Option(help: ArgumentHelp("Directory walkers (listing concurrency).", valueName: "N")) var walkers: Int = SyncDefaults.walkers

    /// The filter rules in command-line order (set by `main` from the raw arguments).
    var orderedFilterArguments: [FilterArgument] = []
    /// `--no-X` options that no later option undid (set by `main`), applied after `-a`.
    var negations = Negations()

    enum CodingKeys: CodingKey {
        case a, r, l, copyLinks, safeLinks, copyUnsafeLinks, mungeLinks, p, executability, t, omitDirTimes, omitLinkTimes, atimes, g, o, D, devices, specials, hardLinks, sparse, x
        case d, relative, impliedDirs, noImpliedDirs
        case n, i, v, q, stats, json, progress, info, humanReadable, P, outFormat, logFile, logFileFormat
        case delete, del, deleteBefore, deleteDuring, deleteAfter, deleteDelay, deleteExcluded, force, maxDelete
        case exclude, include, excludeFrom, includeFrom, filter, filesFrom, from0, minSize, maxSize
        case c, sizeOnly, ignoreTimes, modifyWindow, u, ignoreExisting, existing
        case wholeFile, noWholeFile, inplace, partial, partialDir, b, backupDir, suffix, linkDest, compareDest, copyDest
        case numericIds, removeSourceFiles, bwlimit, chmod, mkpath, jobs, walkers
        case z, oldCompress, newCompress, compressChoice, compressLevel, compressThreads, skipCompress
        case rsyncPath, incRecursive, noIncRecursive
    }

    mutating func validate() throws {
        if jobs < 1 || jobs > 256 { throw ValidationError("--jobs must be between 1 and 256") }
        if walkers < 1 || walkers > 256 { throw ValidationError("--walkers must be between 1 and 256") }
        for flag in info where !["progress2", "progress1", "progress", "progress0", "none", "stats", "stats2", "name", "name1", "flist0"].contains(flag) {
            throw ValidationError("unsupported --info flag \"\(flag)\"")
        }
        if let suffix {
            // rsync's rules: an empty suffix would back a file up onto its own name (the old
            // version lost), and a slash would put the backup in another directory.
            if suffix.contains("/") { throw ValidationError("--suffix cannot contain slashes: \(suffix)") }
            if suffix.isEmpty && backupDir == nil {
                throw ValidationError("--suffix cannot be empty without a --backup-dir")
            }
        }
        // rsync's rule: one kind of alternate destination per run.
        let alternates = [("compare-dest", compareDest), ("copy-dest", copyDest), ("link-dest", linkDest)].filter { !$0.1.isEmpty }
        if alternates.count > 1 {
            throw ValidationError("the --\(alternates[1].0) option conflicts with the --\(alternates[0].0) option")
        }
        // A number rsync cannot read is a usage error (1); an unknown compress name is
        // refused by makeOptions, with rsync's "not supported" (4).
        for (option, value) in [("compress-level", compressLevel), ("compress-threads", compressThreads)] {
            if let value, CompressionOptions.number(value) == nil {
                throw ValidationError("--\(option)=\(value): invalid numeric value")
            }
        }
        // rsync keeps --delete-during and --delete-delay in one setting (the later one wins),
        // so only a third timing conflicts with them.
        if [deleteBefore, deleteDuring || del || deleteDelay, deleteAfter].filter({ $0 }).count > 1 {
            throw ValidationError("You may not combine multiple --delete-WHEN options.")
        }
    }

    /// rsync reads an empty number (`--zl=`) as 0 and an empty format (`--out-format=`) as
    /// empty, where ArgumentParser would take the next argument as the value: those are given
    /// their value before parsing (up to `--`).
    static func fillingEmptyValues(_ arguments: [String]) -> [String] {
        let numeric: Set<String> = ["--zl=", "--compress-level=", "--zt=", "--compress-threads="]
        let text: Set<String> = ["--out-format=", "--log-format=", "--log-file-format="]
        var result: [String] = []
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { return result + arguments[index...] }
            if numeric.contains(argument) {
                result.append(argument + "0")
            } else if text.contains(argument) {
                result += [String(argument.dropLast()), ""]
            } else {
                result.append(argument)
            }
        }
        return result
    }
}
