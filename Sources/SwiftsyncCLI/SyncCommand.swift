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
        try await execute(s3: .unavailable)
    }

    /// Runs the sync and exits with rsync's code.
    func execute(s3 support: SwiftsyncMain.S3Support) async throws -> Never {
        let options = try rsync.makeOptions(sourceCount: paths.count - 1)
        let involvesS3 = paths.contains { $0.hasPrefix("s3://") }
        // Before the run lock: the program handed over to takes it itself.
        if involvesS3, case .handOver(let handOver) = support { handOver() }
        let reporter = rsync.makeReporter()
        let progressBar = rsync.progressBar
        // Before anything is touched, local or S3: a second run gives up here.
        let runLock = try lock.acquire()
        CancellationFlag.installSignalHandlers()
        let code: SyncCore.ExitCode, elapsed: Double
        if involvesS3, case .runner(let runS3) = support {
            (code, elapsed) = await runS3(paths, s3, options, reporter, progressBar)
        } else {
            let engine = SyncEngine(options: options, reporter: reporter)
            code = await engine.run(sources: Array(paths.dropLast()), destination: paths.last!, progress: progressBar)
            elapsed = engine.elapsed
        }
        withExtendedLifetime(runLock) {}
        try rsync.finish(reporter, code: code, elapsed: elapsed)
    }
}
