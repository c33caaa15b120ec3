import ArgumentParser
import SyncCore
#if canImport(Glibc)
import Glibc
#endif

/// `swiftsync [OPTIONS] SRC... DEST`: rsync's local command line.
struct SyncCommand: RsyncCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Copy SRC... to DEST like rsync, with concurrent walkers and transfer workers.",
        usage: "swiftsync [OPTIONS] SRC... DEST",
        helpNames: [.long]
    )

    @OptionGroup var rsync: RsyncArguments
    @OptionGroup(title: "Run lock") var lock: LockArguments
    @OptionGroup(title: "S3 (DEST = s3://bucket/prefix/)") var s3: S3Arguments

    @Argument(help: ArgumentHelp("Sources, then the destination.", valueName: "SRC... DEST")) var paths: [String] = []

    mutating func validate() throws {
        if paths.count < 2 {
            throw ValidationError(paths.isEmpty ? "missing SRC and DEST" : "missing DEST (give at least one SRC and a DEST)")
        }
        try lock.validateNeedsLock()
        if let remote = paths.first(where: { RemotePath.isRemote($0) }) {
            // rsync would reach another host here; creating a local `host:path` directory and
            // exiting 0 would silently back up to the wrong place.
            throw ValidationError("\"\(remote)\" names a remote host (HOST:PATH), and remote syncs are not supported yet; "
                                  + "write ./\(remote) for a local file of that name")
        }
    }

    mutating func run() async throws {
        try await execute()
    }

    /// Runs the sync and exits with rsync's exit code.
    func execute() async throws -> Never {
        let options = try rsync.makeOptions(sourceCount: paths.count - 1)
        let reporter = rsync.makeReporter()
        let progressBar = rsync.progressBar
        // Before anything is touched, local or S3: a second run gives up here.
        let runLock = lock.acquire()
        CancellationFlag.installSignalHandlers()
        let code: SyncCore.ExitCode, elapsed: Double
        if paths.contains(where: { $0.hasPrefix("s3://") }) {
            guard let runS3 = SwiftsyncMain.s3Runner else {
                OutputSink.standardError.line("swiftsync: S3 support is in swiftsync-s3, which this program could not start")
                Glibc.exit(SyncCore.ExitCode.usage.rawValue)
            }
            (code, elapsed) = await runS3(paths, s3, options, reporter, progressBar)
        } else {
            let engine = SyncEngine(options: options, reporter: reporter)
            code = await engine.run(sources: Array(paths.dropLast()), destination: paths.last!, progress: progressBar)
            elapsed = engine.elapsed
        }
        withExtendedLifetime(runLock) {}
        rsync.finish(reporter, code: code, elapsed: elapsed)
    }
}
