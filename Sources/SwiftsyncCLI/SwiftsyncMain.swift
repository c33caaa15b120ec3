import ArgumentParser
import SyncCore
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
            subcommands: [SyncCommand.self, SnapshotCommand.self, SignatureCommand.self, DeltaCommand.self, PatchCommand.self]
                + SwiftsyncMain.additionalCommands,
            defaultSubcommand: SyncCommand.self,
            helpNames: [.long]
        )
    }
}

/// A command that runs a sync with rsync's options: `main` hands it what parsing cannot see
/// (the order of filter options, the `--no-X` forms), then runs it.
protocol RsyncCommand: AsyncParsableCommand {
    var rsync: RsyncArguments { get set }
    func execute() async throws -> Never
}

enum SwiftSyncVersion {
    static let string = "swiftsync 0.1.0"
}

/// The command line as a library, so that two executables share it: `swiftsync` (local syncs
/// and delta files, kept free of the HTTP stack) and `swiftsync-s3` (the same commands plus S3,
/// which `swiftsync` hands over to when an argument is an `s3://` URL).
public enum SwiftsyncMain {
    /// Runs a sync that involves S3: `paths` as given, the S3 options, the rsync options.
    public typealias S3Runner = @Sendable (_ paths: [String], _ s3: S3Arguments, _ options: SyncOptions, _ reporter: SyncReporter) async
        -> (SyncCore.ExitCode, Double)

    /// Set by `swiftsync-s3`; nil in `swiftsync`.
    nonisolated(unsafe) public static var s3Runner: S3Runner?

    /// Commands only `swiftsync-s3` has (they need HTTP), added by it before ``run()``.
    nonisolated(unsafe) public static var additionalCommands: [any ParsableCommand.Type] = []

    /// Parses `CommandLine.arguments`, runs the command, and exits with rsync's code.
    public static func run() async -> Never {
        let (arguments, negations) = Negations.extract(Array(CommandLine.arguments.dropFirst()))
        do {
            var command = try SwiftSync.parseAsRoot(arguments)
            if var sync = command as? any RsyncCommand {
                sync.rsync.orderedFilterArguments = FilterArgument.scan(arguments)
                sync.rsync.negations = negations
                try sync.validate()
                try await sync.execute()
            } else if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            let code = SwiftSync.exitCode(for: error)
            if code == .success {
                print(SwiftSync.fullMessage(for: error))
                exit(0)
            }
            let message = SwiftSync.fullMessage(for: error)
                .split(separator: "\n").first { !$0.hasPrefix("Usage:") && !$0.isEmpty }
                .map { $0.hasPrefix("Error: ") ? String($0.dropFirst(7)) : String($0) } ?? "invalid arguments"
            let stderr = OutputSink.standardError
            stderr.line("swiftsync: \(message)")
            stderr.line(usageLine(for: arguments))
            stderr.line("swiftsync error: syntax or usage error (code 1)")
            exit(1)
        }
        exit(0)
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
