import ArgumentParser
import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// `swiftsync snapshot`: rsnapshot-style hard-link snapshots with rotation, and their listing.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Hard-link snapshots with daily/weekly/monthly rotation (as rsnapshot), and their listing.",
        subcommands: [SnapshotTakeCommand.self, SnapshotListCommand.self],
        defaultSubcommand: SnapshotTakeCommand.self,
        helpNames: [.long]
    )
}

/// `swiftsync snapshot [SYNC-OPTIONS] SRC... DEST_ROOT --retain daily=7 [--retain weekly=4] [--level weekly]`
struct SnapshotTakeCommand: RsyncCommand {
    static let configuration = CommandConfiguration(
        commandName: "take",
        abstract: "Sync SRC into DEST_ROOT/.in-progress, hard-linking unchanged files to the newest snapshot, then rotate it in as LEVEL.0.",
        usage: "swiftsync snapshot [SYNC-OPTIONS] SRC... DEST_ROOT --retain daily=7 [--retain weekly=4 ...] [--level LEVEL]",
        discussion: """
            The sync options are rsync's, as for a plain sync; -a and --delete are implied (turn parts \
            of -a off with --no-o, --no-g...). Levels rotate as rsnapshot's: --level weekly first \
            moves the oldest daily to weekly.0. DEST_ROOT/.lock is held for the run unless --lock says otherwise.
            """,
        helpNames: [.long]
    )

    @OptionGroup var rsync: RsyncArguments
    @OptionGroup(title: "Run lock") var lock: LockArguments

    @Option(name: .customLong("retain"), help: ArgumentHelp("How many snapshots a level keeps, lowest level first (repeatable).", valueName: "LEVEL=COUNT"))
    var retain: [String] = []
    @Option(name: .customLong("level"), help: ArgumentHelp("Also promote into LEVEL, as `rsnapshot LEVEL` (default: the lowest level only; repeatable).", valueName: "LEVEL"))
    var level: [String] = []

    @Argument(help: ArgumentHelp("Sources, then the snapshot root.", valueName: "SRC... DEST_ROOT")) var paths: [String] = []

    mutating func validate() throws {
        if paths.count < 2 { throw ValidationError(paths.isEmpty ? "missing SRC and DEST_ROOT" : "missing DEST_ROOT (give SRC... DEST_ROOT)") }
        if paths.contains(where: { $0.hasPrefix("s3://") }) { throw ValidationError("snapshots are local: SRC and DEST_ROOT are directories") }
        if rsync.inplace { throw ValidationError("--inplace cannot be used with snapshots: it would write into files older snapshots share") }
        if !rsync.linkDest.isEmpty || !rsync.compareDest.isEmpty || !rsync.copyDest.isEmpty {
            throw ValidationError("snapshot sets --link-dest itself (to the newest snapshot); --link-dest, --copy-dest and --compare-dest cannot be given")
        }
        _ = try plan()
    }

    /// The policy and the levels to promote, or a usage error.
    private func plan() throws -> (RetentionPolicy, [Int]) {
        do {
            let policy = try RetentionPolicy(parsing: retain)
            return (policy, try policy.promotions(level))
        } catch {
            throw ValidationError(error.description)
        }
    }

    mutating func run() async throws {
        try await execute(s3: .unavailable)
    }

    func execute(s3: SwiftsyncMain.S3Support) async throws -> Never {
        var arguments = rsync
        arguments.a = true
        let options = try arguments.makeOptions(sourceCount: paths.count - 1)
        let (policy, promoting) = try plan()
        let reporter = rsync.makeReporter()
        let rootPath = paths.last!
        // A --lock of its own is taken before anything, the root included, is created.
        let givenLock = lock.file != nil ? try lock.acquire() : nil
        let root: SnapshotRoot?
        do {
            root = try SnapshotRoot.open(rootPath, create: !options.dryRun)
        } catch {
            OutputSink.standardError.line("swiftsync: snapshot root \(rootPath): \(error)")
            try rsync.finish(reporter, code: .fileIO, elapsed: 0)
        }
        // A dry run changes nothing, not even by creating the default lock file.
        let runLock = try givenLock ?? lock.acquire(defaultFile: options.dryRun ? nil : root?.path(of: ".lock"))
        CancellationFlag.installSignalHandlers()
        let run = SnapshotRun(rootPath: rootPath, policy: policy, promoting: promoting, options: options, reporter: reporter)
        let (code, elapsed) = await run.run(sources: Array(paths.dropLast()), progress: rsync.progressBar)
        withExtendedLifetime(runLock) {}
        try rsync.finish(reporter, code: code, elapsed: elapsed)
    }
}

/// `swiftsync snapshot list DEST_ROOT [--json]`
struct SnapshotListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the snapshots in DEST_ROOT, newest first, with their dates and the space each one adds.",
        helpNames: [.long]
    )

    @Flag(help: "Print a JSON array (sizes in bytes) instead of the table.") var json = false
    @Argument(help: ArgumentHelp("The snapshot root.", valueName: "DEST_ROOT")) var root: String

    func run() throws {
        do {
            guard let snapshotRoot = try SnapshotRoot.open(root, create: false) else {
                throw SnapshotError.fileSystem(FileSystemError(operation: "opendir", path: root, errno: ENOENT))
            }
            let survey = try snapshotRoot.survey()
            OutputSink.standardOutput.line(json ? SnapshotListing.json(survey) : SnapshotListing.table(survey))
            OutputSink.standardOutput.flush()
        } catch let error as SnapshotError {
            OutputSink.standardError.line("swiftsync: snapshot list: \(error)")
            throw RunEnded(.fileIO)
        }
    }
}
