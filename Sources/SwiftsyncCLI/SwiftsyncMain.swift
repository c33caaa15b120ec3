import ArgumentParser
import SyncCore
import SyncSystem
#if canImport(Glibc)
import Glibc
#endif

/// The executable: parse, then hand over to the libraries. A usage error exits 1 (rsync's
/// code) with a one-line message and the usage line.
/// `swiftsync`'s root: the subcommands without HTTP. `swiftsync-s3` has its own root, made by
/// ``SwiftsyncMain/rootConfiguration(adding:)`` with `ebs` and `s3` added.
struct SwiftSync: AsyncParsableCommand {
    static var configuration: CommandConfiguration { SwiftsyncMain.rootConfiguration(adding: []) }
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

    /// The root command's configuration: every subcommand `swiftsync` has, plus `subcommands`
    /// (`swiftsync-s3` adds those that need HTTP, `ebs` and `s3`, which `swiftsync` hands over
    /// to it: see ``httpSubcommandNames``).
    public static func rootConfiguration(adding subcommands: [any ParsableCommand.Type]) -> CommandConfiguration {
        CommandConfiguration(
            commandName: "swiftsync",
            abstract: "A fast rsync-compatible sync engine.",
            version: SwiftSyncVersion.string,
            subcommands: [SyncCommand.self, SnapshotCommand.self, SignatureCommand.self, DeltaCommand.self, PatchCommand.self,
                          RAID1Command.self, CronCommand.self] + subcommands,
            defaultSubcommand: SyncCommand.self,
            helpNames: [.long]
        )
    }

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

    /// Parses `CommandLine.arguments` with `swiftsync`'s root command, runs the command, and
    /// exits with rsync's code.
    public static func run(s3: S3Support) async -> Never {
        await run(SwiftSync.self, s3: s3)
    }

    /// Parses `CommandLine.arguments` with `root` (whose configuration is
    /// ``rootConfiguration(adding:)``), runs the command, and exits with rsync's code.
    public static func run<Root: ParsableCommand>(_ root: Root.Type, s3: S3Support) async -> Never {
        let (arguments, negations) = Negations.extract(RsyncArguments.fillingEmptyValues(
            LockArguments.movingLeadingLockOptions(Array(CommandLine.arguments.dropFirst()))))
        do {
            var command = try Root.parseAsRoot(arguments)
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
            let code = Root.exitCode(for: error)
            if code == .success {
                print(Root.fullMessage(for: error))
                SystemProcess.exit(0)
            }
            let message = Root.fullMessage(for: error)
                .split(separator: "\n").first { !$0.hasPrefix("Usage:") && !$0.isEmpty }
                .map { $0.hasPrefix("Error: ") ? String($0.dropFirst(7)) : String($0) } ?? "invalid arguments"
            let stderr = OutputSink.standardError
            if let first = arguments.first, provisioningSubcommands.contains(first) {
                let leaf = arguments.dropFirst().first.flatMap { provisioningLeaves.contains($0) ? " \($0)" : nil } ?? ""
                stderr.line("swiftsync: \(message) (see swiftsync \(first)\(leaf) --help)")
                SystemProcess.exit(1)
            }
            stderr.line("swiftsync: \(message)")
            stderr.line(usageLine(for: arguments, root: Root.self))
            stderr.line("swiftsync error: syntax or usage error (code 1)")
            SystemProcess.exit(1)
        }
        SystemProcess.exit(0)
    }

    /// The usage line of the command the arguments address (`snapshot`, `s3 lifecycle put`...),
    /// with where to read more; a sync's is rsync's.
    static func usageLine(for arguments: [String], root: any ParsableCommand.Type = SwiftSync.self) -> String {
        var command: any ParsableCommand.Type = root
        var words: [String] = []
        for argument in arguments {
            guard let sub = command.configuration.subcommands.first(where: { $0.configuration.commandName == argument }) else { break }
            command = sub
            words.append(argument)
        }
        while let sub = command.configuration.defaultSubcommand { command = sub }
        guard !words.isEmpty else { return "Usage: swiftsync [OPTIONS] SRC... DEST   (see swiftsync --help)" }
        let usage = root.usageString(for: command).split(separator: "\n").map { $0.trimmingPrefix(" ") }.joined(separator: " ")
        return "Usage: \(usage)   (see swiftsync \(words.joined(separator: " ")) --help)"
    }
}
