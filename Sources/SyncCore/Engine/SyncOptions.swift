import SyncSystem

/// Everything that shapes one sync run, with rsync's defaults (as if no option was given).
public struct SyncOptions: Sendable {
    public enum DeleteTiming: Sendable { case before, during, after }

    public var recursive = false
    /// `-r` given explicitly (matters with `--files-from`, where `-a` does not imply it).
    public var explicitRecursive = false
    /// `-d/--dirs`: without `-r`, directories are made but not walked (a `SRC/`'s contents
    /// are sent, its subdirectories made empty).
    public var dirs = false
    /// boto-rsync's `--no-recurse`: a `SRC/`'s files are sent without `-r`, its subdirectories
    /// skipped (rsync skips the whole `SRC/` there).
    public var sendsContentsWithoutRecursion = false
    /// `-R/--relative`: each SRC keeps its path under the destination.
    public var relative = false
    /// `--no-implied-dirs` clears it: under `-R`, the directories on the way to a kept path are
    /// not sent (made with the default mode where missing, left alone where present).
    public var impliedDirectories = true
    public var preserveLinks = false
    public var copyLinks = false
    /// `-E`: without `-p`, an existing regular file's permissions are kept but for the execute
    /// bits, which follow the source's (see ``executableMode(destination:source:)``).
    public var executability = false
    /// `--safe-links`: symlinks pointing outside the transfer are left out (``SymlinkSafety``).
    public var safeLinks = false
    /// `--copy-unsafe-links`: symlinks pointing outside the transfer are copied as what they
    /// point to, as `-L` copies every one.
    public var copyUnsafeLinks = false
    /// `--munge-links`: a source symlink's target munged by an rsync receiver (`/rsyncd-munged/...`)
    /// is sent unmunged; a local receiver, as rsync's, munges nothing.
    public var mungeLinks = false
    /// With `-L`, a symlink pointing nowhere is a warning, not an error (boto-rsync's users
    /// expect the run to go on and succeed; rsync counts it as a failed file).
    public var danglingSymlinksWarn = false
    public var preservePermissions = false
    public var preserveTimes = false
    /// `-O/--omit-dir-times`: with `-t`, directories' times are neither set nor compared.
    public var omitDirectoryTimes = false
    /// `-J/--omit-link-times`: with `-t`, symlinks' times are neither set nor compared.
    public var omitLinkTimes = false
    public var preserveAccessTimes = false
    public var preserveGroup = false
    public var preserveOwner = false
    public var preserveDevices = false
    public var preserveSpecials = false
    public var hardLinks = false
    public var sparse = false
    public var oneFileSystem = false
    public var dryRun = false
    /// `nil`: no deletion.
    public var delete: DeleteTiming?
    public var deleteExcluded = false
    public var force = false
    public var maxDelete: Int?
    public var filters = FilterList()
    /// `--files-from`: paths relative to the (single) source directory.
    public var filesFrom: [[UInt8]]?
    public var checksum = false
    public var sizeOnly = false
    public var ignoreTimes = false
    public var modifyWindow: Int64 = 0
    public var update = false
    public var ignoreExisting = false
    public var existingOnly = false
    public var wholeFile = true
    /// `-z` and its companions: accepted, and honoured as rsync does (not at all locally).
    public var compression = CompressionOptions()
    public var inPlace = false
    public var partial = false
    public var partialDirectory: String?
    public var backup = false
    public var backupDirectory: String?
    public var backupSuffix: String?
    public var linkDest: [String] = []
    public var compareDest: [String] = []
    /// `--copy-dest`: as `--compare-dest`, and a file found unchanged there is copied from it.
    public var copyDest: [String] = []
    public var numericIds = false
    public var removeSourceFiles = false
    /// Bytes per second.
    public var bandwidthLimit: Double?
    public var chmod: ChmodRules?
    public var makePath = false
    public var jobs = 4
    public var walkers = 2
    public var umask: UInt32 = 0o022
    /// Walk one directory at a time in key order, subdirectories inline, as the engine does
    /// when a side's listing is streamed (S3); tests set it on local trees to check that both
    /// walks decide alike.
    public var sequentialWalk = false
    /// Regular files below this size are copied by the walker itself, not queued to a worker.
    public var inlineTransferLimit: Int64 = SyncDefaults.inlineTransferLimit

    public init() {}

    /// What a file found unchanged in an alternate destination tree gives the destination.
    public enum AlternateKind: String, Sendable, CaseIterable {
        /// `--compare-dest`: nothing (the file is left out).
        case compare
        /// `--copy-dest`: a copy of it.
        case copy
        /// `--link-dest`: a hard link to it (a copy where the destination has no hard links).
        case link
    }

    /// The alternate trees by kind, in rsync's order of checking them.
    public var alternateDestinations: [(paths: [String], kind: AlternateKind)] {
        [(compareDest, .compare), (copyDest, .copy), (linkDest, .link)].filter { !$0.paths.isEmpty }
    }

    /// `-a`: `-rlptgoD`.
    public mutating func setArchive() {
        recursive = true
        preserveLinks = true
        preservePermissions = true
        preserveTimes = true
        preserveGroup = true
        preserveOwner = true
        preserveDevices = true
        preserveSpecials = true
    }

    /// The suffix backups get: `~` unless a backup directory is used.
    var effectiveBackupSuffix: String { backupSuffix ?? (backupDirectory == nil ? "~" : "") }
}

/// The measured default widths (see Benchmarks/RESULTS.md).
public enum SyncDefaults {
    public static let jobs = 4
    public static let walkers = 2
    public static let inlineTransferLimit: Int64 = 256 * 1024
}

extension SyncOptions {
    /// Whether `-t` applies to an item of this kind (`-O` leaves directories out, `-J` symlinks).
    /// Always inlined: called, it took a copy of all the options (336 bytes) per file (perf).
    @inline(__always)
    public func preservesTimes(of kind: FileKind) -> Bool {
        preserveTimes && !(kind == .directory && omitDirectoryTimes) && !(kind == .symlink && omitLinkTimes)
    }
}

extension SyncOptions {
    /// rsync's `-E` for an existing regular file without `-p`: a non-executable source clears
    /// every execute bit; an executable one gives execute to whoever may read, unless the file
    /// is executable for someone already (then it stays as it is).
    public static func executableMode(destination: UInt32, source: UInt32) -> UInt32 {
        if source & 0o111 == 0 { return destination & ~0o111 }
        if destination & 0o111 == 0 { return destination | (destination & 0o444) >> 2 }
        return destination
    }
}
