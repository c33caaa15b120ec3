import ArgumentParser
import AWSCore
import Logging
import S3
import SwiftsyncCLI
import SyncCore
#if canImport(Glibc)
import Glibc
#endif

/// `boto-rsync [OPTIONS] SOURCE DESTINATION`: boto-rsync 0.8's command line and defaults
/// (recursive, size-only, `--delete` after the transfer, directory keys, a source directory
/// meaning its contents), run by swiftsync's S3 engine. Invoked through a `boto-rsync` symlink.
struct BotoRsyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boto-rsync",
        abstract: "boto-rsync 0.8's command line, run by swiftsync.",
        usage: "boto-rsync [OPTIONS] SOURCE DESTINATION",
        discussion: """
        SOURCE and DESTINATION: a local path, or s3://bucket/path/or/key (either way round, or two S3 URLs). \
        Files are compared by size only; a source directory's contents are synced, recursively.
        """,
        helpNames: [.short, .long]
    )

    @Option(name: [.customShort("a"), .customLong("access-key")], help: ArgumentHelp("Access key id (else the environment or credentials files).", valueName: "KEY")) var accessKey: String?
    @Option(name: [.customShort("s"), .customLong("secret-key")], help: ArgumentHelp("Secret key.", valueName: "SECRET")) var secretKey: String?
    @Flag(help: "Connect without credentials (public buckets).") var anon = false
    @Option(help: ArgumentHelp("S3 endpoint: HOST[:PORT] (https) or a full http(s) URL.", valueName: "HOST")) var endpoint: String?
    @Option(name: [.customShort("g"), .customLong("grant")], help: ArgumentHelp("Canned ACL for every object written.", valueName: "POLICY")) var grant: String?
    @Option(name: [.customShort("m"), .customLong("metadata")], parsing: .upToNextOption,
            help: ArgumentHelp("\"Name: value\" pairs to set on every object (end them with --).", valueName: "METADATA")) var metadata: [String] = []
    @Flag(name: [.customShort("r"), .customLong("reduced")], help: "Reduced redundancy storage.") var reduced = false
    @Flag(name: [.customShort("e"), .customLong("encrypt-keys")], help: "Server-side encryption (AES256).") var encryptKeys = false
    @Flag(name: [.customShort("p"), .customLong("preserve-acl")], help: "S3 to S3: copy each object's ACL.") var preserveACL = false
    @Flag(name: [.customShort("w"), .customLong("no-overwrite")], help: "Never overwrite what the destination has.") var noOverwrite = false
    @Flag(help: "The last part of SOURCE is a filename pattern (implies --no-recurse).") var glob = false
    @Flag(name: .customLong("no-recurse"), help: "Do not recurse into directories.") var noRecurse = false
    @Flag(name: .customLong("skip-dirkeys"), help: "Do not make \"dir/\" keys for directories.") var skipDirkeys = false
    @Flag(name: .customLong("ignore-empty"), help: "Skip 0-byte files and keys, and empty directories.") var ignoreEmpty = false
    @Flag(help: "Delete extraneous files from the destination after the transfer.") var delete = false
    @Flag(name: [.customShort("n"), .customLong("dry-run")], help: "Show what would be done, change nothing.") var dryRun = false
    @Flag(name: [.customShort("v"), .customLong("verbose")], help: "Also say what is skipped.") var verbose = false
    @Option(name: [.customShort("d"), .customLong("debug")], help: ArgumentHelp("0 none, 1 requests, 2 requests and headers (never secrets).", valueName: "LEVEL")) var debug: Int = 0
    @Flag(help: "Print the version and exit.") var version = false
    @Argument(help: ArgumentHelp("SOURCE DESTINATION", valueName: "PATH")) var paths: [String] = []

    mutating func validate() throws {
        if version { return }
        guard paths.count == 2 else { throw ValidationError("expected SOURCE and DESTINATION (got \(paths.count) paths)") }
        guard paths.contains(where: { $0.hasPrefix("s3://") }) else {
            throw ValidationError("SOURCE or DESTINATION must be an s3:// URL (local to local is swiftsync's job)")
        }
        for path in paths where path.hasPrefix("s3://") {
            guard let url = S3URL(path), url.bucket.count >= 3 else { throw ValidationError("Bucket name is invalid in \"\(path)\"") }
        }
        guard (0...2).contains(debug) else { throw ValidationError("--debug takes 0, 1 or 2") }
        if anon && (accessKey != nil || secretKey != nil) { throw ValidationError("--anon takes no keys") }
        for item in metadata where !item.contains(": ") {
            throw ValidationError("invalid --metadata \"\(item)\" (expected \"Name: value\")")
        }
    }

    /// The engine's options for boto-rsync's behaviour.
    var syncOptions: SyncOptions {
        var options = SyncOptions()
        options.recursive = !(noRecurse || glob)
        options.sendsContentsWithoutRecursion = !options.recursive
        options.sizeOnly = true
        options.preserveTimes = true
        options.preservePermissions = true
        // boto-rsync uploads what a symlink points to; a dangling one gets a warning here (it crashed there).
        options.copyLinks = true
        options.danglingSymlinksWarn = true
        options.ignoreExisting = noOverwrite
        options.dryRun = dryRun
        options.delete = delete ? .after : nil
        return options
    }

    var transferOptions: S3TransferOptions {
        var transfer = S3TransferOptions()
        var style = BotoStyle()
        style.directoryKeys = !skipDirkeys
        style.ignoreEmpty = ignoreEmpty
        style.preserveACL = preserveACL
        if glob, let source = paths.first {
            style.glob = Array((source.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? "").utf8)
        }
        transfer.boto = style
        transfer.put.acl = grant
        transfer.put.storageClass = reduced ? "REDUCED_REDUNDANCY" : nil
        transfer.put.serverSideEncryption = encryptKeys ? "AES256" : nil
        for item in metadata {
            let pair = item.split(separator: ":", maxSplits: 1)
            let name = pair[0].trimmingCharacters(in: " ")
            let value = pair[1].trimmingCharacters(in: " ")
            // boto sends the standard headers as headers, everything else as x-amz-meta-*.
            if name.lowercased() == "content-type" { transfer.put.contentType = value } else { transfer.put.metadata.append((name.lowercased(), value)) }
        }
        return transfer
    }

    /// `--endpoint`: boto's host (https, as boto's default), or a whole URL.
    var endpointURL: String? {
        guard let endpoint else { return nil }
        return endpoint.contains("://") ? endpoint : "https://" + endpoint
    }

    func execute() async -> Never {
        if version {
            print("boto-rsync 0.8 (\(SwiftsyncMain.versionString))")
            Glibc.exit(0)
        }
        CancellationFlag.installSignalHandlers()
        var reporterOptions = SyncReporter.Options()
        // boto-rsync names every file it transfers and deletes (rsync's -v); its -v adds what it skips (rsync's -vv).
        reporterOptions.verbose = verbose ? 2 : 1
        // Every error line names the program that was invoked, the engine's included.
        reporterOptions.programName = "boto-rsync"
        reporterOptions.dialect = .botoRsync
        let reporter = SyncReporter(options: reporterOptions)
        let chain = CredentialChain(accessKey: accessKey, secretKey: secretKey)
        var logger = Logger(label: "boto-rsync") { _ in StreamLogHandler.standardError(label: "boto-rsync") }
        logger.logLevel = debug >= 2 ? .trace : debug == 1 ? .debug : .critical
        let code: SyncCore.ExitCode
        do {
            let credentials = anon ? nil : try await chain.resolve()
            let endpoint = try S3Endpoint(region: chain.region ?? "us-east-1", endpointURL: endpointURL)
            let client = S3Client(endpoint: endpoint, credentials: credentials, showsErrorBodies: debug >= 2, logger: logger)
            code = await S3Sync(client: client, options: syncOptions, transfer: transferOptions, reporter: reporter)
                .run(source: paths[0], destination: paths[1])
            await client.shutdown()
        } catch {
            OutputSink.standardError.line("boto-rsync: \(error)")
            Glibc.exit(SyncCore.ExitCode.usage.rawValue)
        }
        if code != .success { OutputSink.standardError.line("boto-rsync: \(code.explanation) (code \(code.rawValue))") }
        reporter.flush()
        Glibc.exit(code.rawValue)
    }

    /// Parses boto-rsync's arguments and runs; argparse's exit 2 for usage errors.
    static func runCommandLine(_ arguments: [String]) async -> Never {
        do {
            var command = try parse(arguments)
            try command.validate()
            await command.execute()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            let line = fullMessage(for: error).split(separator: "\n").first { !$0.hasPrefix("Usage") && !$0.isEmpty } ?? "invalid arguments"
            OutputSink.standardError.line("boto-rsync: " + (line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : String(line)))
            OutputSink.standardError.line("usage: boto-rsync [OPTIONS] SOURCE DESTINATION   (see boto-rsync --help)")
            Glibc.exit(2)
        }
    }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
