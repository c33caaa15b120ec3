import ArgumentParser
import AWSCore
import S3
import SwiftsyncCLI
import SyncCore
#if canImport(Glibc)
import Glibc
#endif

/// `swiftsync s3 ...`: bucket settings (only in swiftsync-s3, which `swiftsync` hands `s3` to).
struct S3Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "s3", abstract: "S3 bucket settings.", subcommands: [LifecycleCommand.self], helpNames: [.long])
}

/// `swiftsync s3 lifecycle put|get|delete`: rules that move objects to Glacier and expire them.
struct LifecycleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifecycle",
        abstract: "A bucket's lifecycle rules: put or delete one rule (the others stay as they are), or show them all.",
        subcommands: [LifecyclePutCommand.self, LifecycleGetCommand.self, LifecycleDeleteCommand.self],
        helpNames: [.long])
}

/// The bucket argument every lifecycle command takes.
struct BucketArgument: ParsableArguments {
    @Argument(help: ArgumentHelp("The bucket (a key part is the default --prefix for put).", valueName: "s3://BUCKET")) var url: String

    var parsed: S3URL {
        get throws {
            guard let parsed = S3URL(url) else { throw ValidationError("expected s3://BUCKET, got \"\(url)\"") }
            return parsed
        }
    }
}

struct LifecyclePutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Add the rule with --id, or replace it; the bucket's other rules stay.",
        usage: "swiftsync s3 lifecycle put s3://BUCKET [--prefix P] [--id NAME] [--glacier-after DAYS] [--deep-archive-after DAYS] [--expire-after DAYS] ...",
        helpNames: [.long])

    @OptionGroup var bucket: BucketArgument
    @Option(help: ArgumentHelp("Objects whose keys start with P (default: the URL's key part, else every object).", valueName: "P")) var prefix: String?
    @Option(help: ArgumentHelp("The rule's id (default: swiftsync, or swiftsync-PREFIX).", valueName: "NAME")) var id: String?
    // `.unconditional`: `--glacier-after -3` reaches the check (and its message) as -3.
    @Option(name: .customLong("glacier-ir-after"), parsing: .unconditional, help: ArgumentHelp("To GLACIER_IR (Instant Retrieval) this many days after creation.", valueName: "DAYS")) var glacierIR: Int?
    @Option(name: .customLong("glacier-after"), parsing: .unconditional, help: ArgumentHelp("To GLACIER (Flexible Retrieval) after DAYS.", valueName: "DAYS")) var glacier: Int?
    @Option(name: .customLong("deep-archive-after"), parsing: .unconditional, help: ArgumentHelp("To DEEP_ARCHIVE after DAYS.", valueName: "DAYS")) var deepArchive: Int?
    @Option(name: .customLong("expire-after"), parsing: .unconditional, help: ArgumentHelp("Delete objects DAYS after creation.", valueName: "DAYS")) var expire: Int?
    @Option(name: .customLong("noncurrent-expire-after"), parsing: .unconditional, help: ArgumentHelp("Delete old versions DAYS after they stop being current.", valueName: "DAYS")) var noncurrentExpire: Int?
    @Option(name: .customLong("abort-incomplete-after"), parsing: .unconditional, help: ArgumentHelp("Abort multipart uploads unfinished after DAYS.", valueName: "DAYS")) var abortIncomplete: Int?
    @OptionGroup(title: "S3 connection") var connection: S3ConnectionArguments

    /// The rule asked for; refused (a usage error) before any request when S3 would refuse it.
    func spec() throws -> (bucket: String, rule: LifecycleRuleSpec) {
        let url = try bucket.parsed
        if prefix != nil && !url.key.isEmpty { throw ValidationError("give the prefix once: in the URL or with --prefix") }
        let prefix = self.prefix ?? url.key
        var spec = LifecycleRuleSpec(id: id ?? LifecycleRuleSpec.defaultID(prefix: prefix), prefix: prefix)
        spec.glacierInstantRetrievalAfter = glacierIR
        spec.glacierAfter = glacier
        spec.deepArchiveAfter = deepArchive
        spec.expireAfter = expire
        spec.noncurrentExpireAfter = noncurrentExpire
        spec.abortIncompleteAfter = abortIncomplete
        do { try spec.validate() } catch { throw ValidationError(error.description) }
        return (url.bucket, spec)
    }

    func validate() throws { _ = try spec() }

    func run() async throws {
        let (bucket, spec) = try spec()
        try await withClient(connection) { client in
            let replaced = try await client.putLifecycleRule(spec.rule, bucket: bucket)
            OutputSink.standardOutput.line("\(replaced ? "replaced" : "added") lifecycle rule \(spec.id) on s3://\(bucket): \(spec.rule.actions.joined(separator: ", "))")
            return .success
        }
    }
}

struct LifecycleGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show the bucket's lifecycle rules.", helpNames: [.long])

    @OptionGroup var bucket: BucketArgument
    @Flag(help: "Print JSON shaped as `aws s3api get-bucket-lifecycle-configuration` prints it.") var json = false
    @OptionGroup(title: "S3 connection") var connection: S3ConnectionArguments

    func run() async throws {
        let bucket = try bucket.parsed.bucket
        try await withClient(connection) { client in
            let configuration = try await client.lifecycle(bucket: bucket)
            OutputSink.standardOutput.line(json ? configuration.json : configuration.table(bucket: bucket))
            return .success
        }
    }
}

struct LifecycleDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Remove the rule with --id; the bucket's other rules stay.", helpNames: [.long])

    @OptionGroup var bucket: BucketArgument
    @Option(help: ArgumentHelp("The rule to remove.", valueName: "NAME")) var id: String
    @OptionGroup(title: "S3 connection") var connection: S3ConnectionArguments

    func run() async throws {
        let bucket = try bucket.parsed.bucket
        try await withClient(connection) { client in
            guard try await client.deleteLifecycleRule(id: id, bucket: bucket) else {
                OutputSink.standardError.line("swiftsync: s3://\(bucket) has no lifecycle rule \(id); nothing was changed")
                return .usage
            }
            OutputSink.standardOutput.line("deleted lifecycle rule \(id) from s3://\(bucket)")
            return .success
        }
    }
}

/// Runs `body` with a client for `connection`, then ends the run: 0, or one line on stderr and
/// rsync's code (1 for a setup problem, 10 when S3 did not answer, 11 when it refused).
func withClient(_ connection: S3ConnectionArguments, _ body: (S3Client) async throws -> SyncCore.ExitCode) async throws(RunEnded) -> Never {
    let code: SyncCore.ExitCode
    do {
        let client = try await connection.makeClient()
        do {
            code = try await body(client)
        } catch let error as S3Error {
            OutputSink.standardError.line("swiftsync: \(error)")
            code = error.exitCode
        } catch {
            OutputSink.standardError.line("swiftsync: \(error)")
            code = .usage
        }
        await client.shutdown()
    } catch {
        OutputSink.standardError.line("swiftsync: \(error)")
        code = .usage
    }
    OutputSink.standardOutput.flush()
    OutputSink.standardError.flush()
    throw RunEnded(code)
}
