import ArgumentParser
import SyncCore
import SyncSystem
#if canImport(Glibc)
import Glibc
#endif

/// The executable: parse, then hand over to the libraries. A usage error exits 1 (rsync's
/// code) with a one-line message and the usage line.
struct SwiftSync: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "swiftsync",
            abstract: "A fast rsync-compatible sync engine.",
            version: SwiftSyncVersion.string,
            subcommands: [SyncCommand.self, SnapshotCommand.self, SignatureCommand.self, DeltaCommand.self, PatchCommand.self,
                          RAID1Command.self, CronCommand.self] + SwiftsyncMain.httpSubcommands,
            defaultSubcommand: SyncCommand.self,
            helpNames: [.long]
        )
    }
}

/// A command that runs a sync with rsync's options: `main` hands it what parsing cannot see
/// (the order of filter options, the `--no-X` forms), then runs it.
protocol RsyncCommand: AsyncParsableCommand {
    var rsync: RsyncArguments { get set }
    func execute(s3: SwiftsyncMain.S3Support) async throws -> Never
}

enum SwiftSyncVersion {
    static let string = "swiftsync 0.1.0"
}

/// The command line as a library, so that two executables share it: `swiftsync` (local syncs
/// and delta files, kept free of the HTTP stack) and `swiftsync-s3` (the same commands plus S3,
/// which `swiftsync` hands over to when an argument is an `s3://` URL).
public enum SwiftsyncMain {
    /// Runs a sync that involves S3: `paths` as given, the S3 options, the rsync options.
    public typealias S3Runner = @Sendable (_ paths: [String], _ s3: S3Arguments, _ options: SyncOptions, _ reporter: SyncReporter,
                                           _ progress: ProgressReporter?) async -> (SyncCore.ExitCode, Double)

    /// `swiftsync X.Y.Z`.
    public static var versionString: String { SwiftSyncVersion.string }

    /// How a sync whose parsed paths name `s3://` runs: here (`swiftsync-s3`), or by handing
    /// the whole command line over to the program that can (`swiftsync`, which links no HTTP
    /// stack). Decided from the parsed paths, so `--exclude 's3://*'` on a local sync stays local.
    public enum S3Support: Sendable {
        case runner(S3Runner)
        /// Replaces this process with one that has S3 support (exec); returns only by exiting.
        case handOver(@Sendable () -> Never)

        /// No S3 here and nothing to hand over to: one line, exit 1.
        public static let unavailable = S3Support.handOver {
            OutputSink.standardError.line("swiftsync: S3 support is in swiftsync-s3, which this program could not start")
            SystemProcess.exit(SyncCore.ExitCode.usage.rawValue)
        }
    }

    /// Subcommands that need HTTP (`ebs`, `s3`), registered by `swiftsync-s3`; `swiftsync`
    /// hands these over to it (see ``httpSubcommandNames``).
    nonisolated(unsafe) public static var httpSubcommands: [any ParsableCommand.Type] = []

    /// The first arguments that `swiftsync` runs `swiftsync-s3` for, with their own subcommands.
    static let httpSubcommandChildren: [String: Set<String>] = ["ebs": ["create-volumes", "list"], "s3": ["lifecycle"]]
    public static var httpSubcommandNames: Set<String> { Set(httpSubcommandChildren.keys) }

    /// Whether `arguments` (without the program's name) run an HTTP subcommand: `ebs` or `s3`
    /// alone, or followed by one of its subcommands or a help flag. Anything else is a sync,
    /// so a file or directory named `s3` or `ebs` can be a source (`swiftsync ebs /backups/`).
    public static func namesHTTPSubcommand(_ arguments: [String]) -> Bool {
        guard let first = arguments.first, let children = httpSubcommandChildren[first] else { return false }
        guard arguments.count > 1 else { return true }
        return children.contains(arguments[1]) || ["-h", "--help", "help"].contains(arguments[1])
    }

    /// Subcommands whose failures are one line without the sync's usage line.
    static let provisioningSubcommands: Set<String> = ["ebs", "raid1", "cron"]
    static let provisioningLeaves: Set<String> = ["create-volumes", "list", "create", "install", "remove"]

    /// Parses `CommandLine.arguments`, runs the command, and exits with rsync's code.
    public static func run(s3: S3Support) async -> Never {
        let (arguments, negations) = Negations.extract(LockArguments.movingLeadingLockOptions(Array(CommandLine.arguments.dropFirst())))
        do {
            var command = try SwiftSync.parseAsRoot(arguments)
            if var sync = command as? any RsyncCommand {
                sync.rsync.orderedFilterArguments = FilterArgument.scan(arguments)
                sync.rsync.negations = negations
                try sync.validate()
                try await sync.execute(s3: s3)
            } else if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let ended as RunEnded {
            SystemProcess.exit(ended.code.rawValue)
        } catch {
            let code = SwiftSync.exitCode(for: error)
            if code == .success {
                print(SwiftSync.fullMessage(for: error))
                SystemProcess.exit(0)
            }
            let message = SwiftSync.fullMessage(for: error)
                .split(separator: "\n").first { !$0.hasPrefix("Usage:") && !$0.isEmpty }
                .map { $0.hasPrefix("Error: ") ? String($0.dropFirst(7)) : String($0) } ?? "invalid arguments"
            let stderr = OutputSink.standardError
            if let first = arguments.first, provisioningSubcommands.contains(first) {
                let leaf = arguments.dropFirst().first.flatMap { provisioningLeaves.contains($0) ? " \($0)" : nil } ?? ""
                stderr.line("swiftsync: \(message) (see swiftsync \(first)\(leaf) --help)")
                SystemProcess.exit(1)
            }
            stderr.line("swiftsync: \(message)")
            stderr.line(usageLine(for: arguments))
            stderr.line("swiftsync error: syntax or usage error (code 1)")
            SystemProcess.exit(1)
        }
        SystemProcess.exit(0)
    }

    /// The usage line of the command the arguments address (`snapshot`, `s3 lifecycle put`...),
    /// with where to read more; a sync's is rsync's.
    static func usageLine(for arguments: [String]) -> String {
        var command: any ParsableCommand.Type = SwiftSync.self
        var words: [String] = []
        for argument in arguments {
            guard let sub = command.configuration.subcommands.first(where: { $0.configuration.commandName == argument }) else { break }
            command = sub
            words.append(argument)
        }
        while let sub = command.configuration.defaultSubcommand { command = sub }
        guard !words.isEmpty else { return "Usage: swiftsync [OPTIONS] SRC... DEST   (see swiftsync --help)" }
        let usage = SwiftSync.usageString(for: command).split(separator: "\n").map { $0.trimmingPrefix(" ") }.joined(separator: " ")
        return "Usage: \(usage)   (see swiftsync \(words.joined(separator: " ")) --help)"
    }
}
