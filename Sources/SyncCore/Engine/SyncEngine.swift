#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import SyncSystem

/// One sync run: walk both trees directory by directory, plan each directory in lock step,
/// feed regular-file transfers to bounded workers, and report.
///
/// All of it runs on a ``BlockingExecutor``: walkers and workers make blocking syscalls.
public final class SyncEngine: Sendable {
    public let options: SyncOptions
    public let reporter: SyncReporter
    let source: any Backend
    let destination: any Backend
    /// Bytes moved, `--bwlimit`'s pace and cancellation, applied through every source transferred.
    let meter: TransferMeter
    let hardLinks: HardLinkRegistry?
    /// Holds -i/-v lines of all-new hard-link groups until rsync's attribution is known.
    let hardLinkItemizer: HardLinkItemizer?
    let deletionCount = Atomic<Int>(0)
    let transfers: AsyncBoundedQueue<TransferJob>
    let workList = DirectoryWorkList()
    let startTime: Double
    /// Files smaller than this are copied by the walker that found them (see RESULTS.md).
    let inlineTransferLimit: Int64

    /// Only the super-user may give files away; others may set groups they belong to (rsync's rule).
    let isSuperUser: Bool
    let memberGroups: Set<UInt32>
    /// `--delete-after`: per directory, the names to delete and the mtime to restore after.
    let lateDeletions = Mutex<[(path: [UInt8], entries: [FileEntry], mtime: FileTime?)]>([])
    /// Set once the roots are resolved.
    let context = Mutex<RunContext>(RunContext())
    /// How the destination's times tell whether it holds the source's version.
    let timeRule: QuickCheck.TimeRule
    /// Both sides keep owners, groups and modes: only then are they compared and fixed.
    let comparesAttributes: Bool
    /// A side's listing is a stream in key order: the tree is walked one directory at a time,
    /// subdirectories inline, instead of by concurrent walkers.
    let walksInKeyOrder: Bool
    /// The source can hold a file and a directory of one name, the destination cannot.
    let checksSourceConflicts: Bool
    /// The destination cannot hold a file and a directory of one name: one replaces the other.
    let matchesAcrossKinds: Bool
    /// What the destination keeps, decided once from its capabilities.
    let destinationKeepsSymlinks: Bool
    let destinationKeepsSpecialFiles: Bool
    /// Directories show in `-i` lines and the created count where the destination has them
    /// (or keeps boto-rsync's `dir/` markers).
    let itemizesDirectories: Bool
    /// A directory's attributes come from its source entry only where the source has them.
    let sourceHasDirectories: Bool
    /// `<` (sent) in `-i` lines when the destination is remote and the source not, else `>`.
    let transferUpdate: ItemizedChange.Update
    /// A remote source and a local destination: what arrives counts as bytes received.
    let receivesFromRemote: Bool

    struct RunContext: @unchecked Sendable {
        var destinationRoot: DirectoryRef?
        var alternateDestinations: [(ref: DirectoryRef, kind: SyncOptions.AlternateKind)] = []
        var backupRoot: DirectoryRef?
        /// Why `--backup-dir` could not be opened or made (then `backupRoot` is nil).
        var backupRootFailure: FileSystemError?
        var partialDirectory: [UInt8]?
        /// The sender's names for `%f`.
        var senderPaths = SenderPaths()
    }

    /// A regular file to copy, queued by a walker for a transfer worker.
    struct TransferJob: Sendable {
        let node: DirectoryNode
        let sourceDirectory: DirectoryRef
        let entry: FileEntry
        let existing: FileEntry?
        let change: ItemizedChange
        let isHardLinkLeader: Bool
    }

    public init(options: SyncOptions, reporter: SyncReporter, source: any Backend = LocalBackend(),
                destination: any Backend = LocalBackend()) {
        self.options = options
        self.reporter = reporter
        self.source = options.dryRun ? DryRunBackend(wrapping: source) : source
        self.destination = options.dryRun ? DryRunBackend(wrapping: destination) : destination
        self.meter = TransferMeter(bytesPerSecond: options.bandwidthLimit)
        self.timeRule = QuickCheck.TimeRule(source: source.capabilities, destination: destination.capabilities)
        self.comparesAttributes = source.capabilities.contains(.posixAttributes) && destination.capabilities.contains(.posixAttributes)
        self.walksInKeyOrder = options.sequentialWalk || source.capabilities.contains(.streamedListing)
            || destination.capabilities.contains(.streamedListing)
        self.checksSourceConflicts = source.capabilities.contains(.fileAndDirectoryOfOneName)
            && !destination.capabilities.contains(.fileAndDirectoryOfOneName)
        self.matchesAcrossKinds = !destination.capabilities.contains(.fileAndDirectoryOfOneName)
        let sourceCapabilities = source.capabilities, destinationCapabilities = destination.capabilities
        self.destinationKeepsSymlinks = destinationCapabilities.contains(.symlinks)
        self.destinationKeepsSpecialFiles = destinationCapabilities.contains(.specialFiles)
        self.itemizesDirectories = destinationCapabilities.contains(.directories) || destinationCapabilities.contains(.directoryMarkers)
        self.sourceHasDirectories = sourceCapabilities.contains(.directories)
        let remoteSource = sourceCapabilities.contains(.remote), remoteDestination = destinationCapabilities.contains(.remote)
        self.transferUpdate = remoteDestination && !remoteSource ? .sent : .received
        self.receivesFromRemote = remoteSource && !remoteDestination
        // -H into a destination without hard links (S3): each name is a file of its own.
        let linksHardLinks = options.hardLinks && destinationCapabilities.contains(.hardLinks)
        self.hardLinks = linksHardLinks ? HardLinkRegistry() : nil
        self.hardLinkItemizer = linksHardLinks && reporter.reportsItems ? HardLinkItemizer() : nil
        self.transfers = AsyncBoundedQueue(capacity: max(16, options.jobs * 8))
        self.startTime = SystemClock.monotonicSeconds()
        // A remote transfer waits on the network: a walker must not wait on it.
        self.inlineTransferLimit = source.capabilities.contains(.remote) || destination.capabilities.contains(.remote)
            ? 0 : options.inlineTransferLimit
        let credentials = SystemProcess.credentials()
        self.isSuperUser = credentials.isSuperUser
        self.memberGroups = credentials.groups
    }

    /// Elapsed seconds since the engine was made.
    public var elapsed: Double { SystemClock.monotonicSeconds() - startTime }

    /// Runs the sync of `sources` into `destinationPath` and returns rsync's exit code.
    /// `prepare` runs once the options are accepted and before anything is touched (a remote
    /// side checks it is there); an exit code it returns ends the run.
    public func run(sources: [String], destination destinationPath: String, progress: ProgressReporter? = nil,
                    prepare: (() async -> ExitCode?)? = nil) async -> ExitCode {
        if let refused = checkOptions(sources: sources) { return refused }
        if let prepare, let failed = await prepare() { return failed }
        reporter.runStarted()
        FileSystem.raiseOpenFileLimit()
        // Every mode the run sets is explicit (options.umask is already applied where rsync
        // applies it), so files can be created with their final mode in one call.
        let savedUmask = FileSystem.setUmask(0)
        defer { FileSystem.setUmask(savedUmask) }
        let executor = BlockingExecutor(threadCount: options.walkers + options.jobs + 1)
        defer { executor.shutdown() }
        await withTaskExecutorPreference(executor) {
            guard let root = await self.prepareRoots(sources: sources, destination: destinationPath) else { return }
            self.workList.push(root)
            await withTaskGroup(of: Void.self) { outer in
                if let progress {
                    outer.addTask { await progress.run(source: self) }
                }
                await self.runPipeline()
                if let itemizer = self.hardLinkItemizer {
                    for group in itemizer.flush() { self.reportHardLinkGroup(group) }
                }
                await self.runLateDeletions()
                progress?.stop()
            }
        }
        if CancellationFlag.isSet { reporter.interrupted() }
        return reporter.exitCode
    }

    /// What this pair of backends cannot honour of the options is refused (a line each, rsync's
    /// usage error) before anything is touched, what it honours differently is warned of once;
    /// so is a `-R` source whose kept path climbs (`..`), as rsync refuses it. Returns the exit
    /// code when the run may not start.
    func checkOptions(sources: [String]) -> ExitCode? {
        let support = OptionSupport(options: options, source: OptionSupport.Side(source), destination: OptionSupport.Side(destination))
        for refusal in support.refusals { reporter.usageError(refusal.description) }
        guard support.isSupported else { return .usage }
        if options.relative {
            for argument in sources {
                do { _ = try RelativeSource(argument) } catch {
                    reporter.usageError(error.message)
                    return .usage
                }
            }
        }
        for line in support.warnings { reporter.warning(line) }
        return nil
    }

    /// Walkers feed the transfer queue; when the walk is over the queue closes and the
    /// workers drain it.
    private func runPipeline() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskGroup(of: Void.self) { walkers in
                    for _ in 0..<max(1, self.options.walkers) {
                        walkers.addTask {
                            while let node = await self.workList.pop() {
                                await self.walk(node)
                                self.workList.finished()
                            }
                        }
                    }
                }
                self.transfers.close()
            }
            for _ in 0..<max(1, self.options.jobs) {
                group.addTask {
                    while let job = await self.transfers.pop() {
                        await self.transfer(job)
                    }
                }
            }
        }
    }

    /// `--delete-after`: a pass over the directories in name order once everything is sent,
    /// as rsync's separate deletion pass (the order decides what `--max-delete` spares).
    private func runLateDeletions() async {
        let work = lateDeletions.withLock { $0 }.sorted { compareNames($0.path, $1.path) < 0 }
        guard !work.isEmpty, !CancellationFlag.isSet, let root = context.withLock({ $0.destinationRoot }) else { return }
        for (path, entries, mtime) in work {
            let directory: DirectoryRef
            if path.isEmpty {
                directory = root
            } else {
                guard let opened = (try? await destination.openDirectory(path, in: root)) ?? nil else { continue }
                directory = opened
            }
            for entry in entries { await delete(entry, in: directory, directoryPath: path) }
            if let mtime {
                try? await destination.setAttributes(of: directory, AttributeSet(mtime: mtime))
            }
        }
    }

    /// Bytes written so far (for progress displays).
    public var bytesTransferred: Int64 { meter.total }

    // MARK: Directory completion

    /// Marks one piece of `node`'s work done, finalizing the directory (and, in turn, its
    /// ancestors) when it was the last.
    func release(_ node: DirectoryNode) async {
        var current: DirectoryNode? = node
        while let n = current, n.release() {
            await finalize(n)
            current = n.parent
        }
    }

    private func finalize(_ node: DirectoryNode) async {
        if let dst = node.destination {
            var attributes = node.finalAttributes
            if node.mtimeAlreadyRight && !node.contentsChanged { attributes.mtime = nil }
            if !attributes.isEmpty && !CancellationFlag.isSet {
                do {
                    try await destination.setAttributes(of: dst, attributes)
                } catch {
                    reporter.error("\(error)")
                }
            }
        }
        node.closeHandles()
    }

    // MARK: Helpers shared by the walker and the workers

    /// The attributes a destination item gets from its source entry.
    func attributes(for entry: FileEntry, isNew: Bool) -> AttributeSet {
        var a = AttributeSet()
        let kind = entry.kind
        if kind == .directory && !sourceHasDirectories {
            // An S3 "directory" has no mode or time of its own: a new one gets the usual mode.
            if isNew { a.permissions = 0o777 & ~options.umask }
            return a
        }
        let mode = sourceMode(of: entry.status)
        if options.preservePermissions {
            a.permissions = mode
        } else if isNew {
            a.permissions = mode & ~options.umask & (kind == .directory ? 0o7777 : 0o6777)
        }
        if options.preserveOwner && isSuperUser { a.uid = entry.status.uid }
        if options.preserveGroup && (isSuperUser || memberGroups.contains(entry.status.gid)) { a.gid = entry.status.gid }
        if options.preservesTimes(of: kind) { a.mtime = entry.status.mtime }
        if options.preserveAccessTimes && kind != .directory { a.atime = entry.status.atime }
        return a
    }

    /// Itemize flags for an existing destination item against its source.
    func attributeChanges(_ change: inout ItemizedChange, source: FileEntry, destination: FileEntry) {
        // A store without modes and owners (S3) has none to compare, and times only as written.
        guard comparesAttributes else { return }
        let s = source.status, d = destination.status
        if options.preservesTimes(of: source.kind) {
            if !QuickCheck.sameModificationTime(s.mtime, d.mtime, window: options.modifyWindow) { change.time = true }
        }
        if source.kind != .symlink {
            let wanted = attributes(for: source, isNew: false).permissions ?? executableMode(source: source, destination: destination)
            if let wanted, wanted != d.permissions { change.permissions = true }
        }
        if options.preserveOwner && isSuperUser && s.uid != d.uid { change.owner = true }
        if options.preserveGroup && s.gid != d.gid && (isSuperUser || memberGroups.contains(s.gid)) { change.group = true }
        if options.preserveAccessTimes && source.kind != .directory && s.atime.seconds != d.atime.seconds { change.accessTime = true }
    }

    /// A directory this run made: its line and its count.
    func reportCreatedDirectory(path: [UInt8], status: FileStatus? = nil) {
        guard itemizesDirectories else { return }
        reporter.changed(ItemizedChange(update: .localChange, kind: .directory, isNew: true), path: path, status: status,
                         sourcePath: senderPath(of: path))
        reporter.statistics.countCreated(.directory)
    }

    /// An existing directory's line (shown when its attributes change, or with -ii).
    func reportDirectory(_ change: ItemizedChange, path: [UInt8], status: FileStatus? = nil) {
        guard itemizesDirectories else { return }
        reporter.changed(change, path: path, status: status, sourcePath: senderPath(of: path))
    }

    /// The sender's name for `%f`, worked out only when a format shows it.
    func senderPath(of path: [UInt8]) -> [UInt8]? {
        reporter.showsFullPaths ? context.withLock { $0.senderPaths.fullPath(of: path) } : nil
    }

    /// A source's mode as rsync's receiver sees it: after `--chmod`.
    func sourceMode(of status: FileStatus) -> UInt32 {
        options.chmod.map { $0.apply(to: status.permissions, isDirectory: status.kind == .directory) } ?? status.permissions
    }

    /// `-E` without `-p`: the mode an existing regular file is given (its own, execute bits
    /// following the source's); nil when `-E` does not apply.
    func executableMode(source: FileEntry, destination: FileEntry) -> UInt32? {
        guard options.executability && !options.preservePermissions && source.kind == .regular && destination.kind == .regular
        else { return nil }
        return SyncOptions.executableMode(destination: destination.status.permissions, source: sourceMode(of: source.status))
    }

    /// Only the attributes that differ, so an unchanged file costs no syscall. `destination`:
    /// the existing item, whose mode `-E` keeps but for its execute bits.
    func attributesToFix(source: FileEntry, change: ItemizedChange, destination: FileEntry? = nil) -> AttributeSet {
        let all = attributes(for: source, isNew: false)
        var a = AttributeSet()
        if change.permissions { a.permissions = all.permissions ?? destination.flatMap { executableMode(source: source, destination: $0) } }
        if change.owner { a.uid = all.uid }
        if change.group { a.gid = all.gid }
        if change.time { a.mtime = all.mtime }
        if change.accessTime { a.atime = all.atime; a.mtime = a.mtime ?? all.mtime }
        return a
    }
}

extension SyncEngine: ProgressSource {
    public var statistics: SyncStatistics { reporter.statistics }
}

extension Optional {
    /// `map` with an async transform.
    public func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
