import ArgumentParser
import AWSCore
import Logging
import S3
import SwiftsyncCLI
import SyncCore
#if canImport(Glibc)
import Glibc
#endif
import SyncSystem

/// Runs a sync with S3 on one side or both and returns rsync's exit code; every setup
/// problem is one line on stderr.
@Sendable func runS3(paths: [String], s3: S3Arguments, options: SyncOptions, reporter: SyncReporter,
                     progress: ProgressReporter?) async -> (SyncCore.ExitCode, Double) {
    let started = SystemClock.monotonicSeconds()
    func fail(_ message: String, _ code: SyncCore.ExitCode) -> (SyncCore.ExitCode, Double) {
        OutputSink.standardError.line("swiftsync: \(message)")
        return (code, SystemClock.monotonicSeconds() - started)
    }
    guard paths.count == 2 else {
        return fail("a sync with S3 takes one source and one destination (got \(paths.count - 1) sources)", .usage)
    }
    for path in paths where path.hasPrefix("s3://") && S3URL(path) == nil {
        return fail("invalid S3 URL \"\(path)\" (expected s3://bucket/prefix)", .usage)
    }
    let transfer: S3TransferOptions
    do { transfer = try s3.transferOptions() } catch { return fail("\(error)", .usage) }
    let client: S3Client
    // -vvv shows every request (never a secret: no header values are logged).
    var logger = Logger(label: "swiftsync.s3") { _ in StreamLogHandler.standardError(label: "swiftsync.s3") }
    logger.logLevel = reporter.options.verbose >= 3 ? .trace : .critical
    do { client = try await s3.makeClient(logger: logger, showsErrorBodies: reporter.options.verbose >= 2) } catch { return fail("\(error)", .usage) }
    let code = await S3Sync(client: client, options: options, transfer: transfer, reporter: reporter)
        .run(source: paths[0], destination: paths[1], progressBar: progress)
    await client.shutdown()
    return (code, SystemClock.monotonicSeconds() - started)
}

extension S3Arguments {
    /// The transfer options, validated: a clear message for every bad value.
    func transferOptions() throws -> S3TransferOptions {
        var options = S3TransferOptions()
        if let multipartThreshold {
            guard let parsed = NumberFormatting.parseSize(multipartThreshold), case let v = Int64(parsed), v >= 5 << 20 else {
                throw ValidationError("invalid --multipart-threshold \"\(multipartThreshold)\" (at least 5M)")
            }
            options.multipartThreshold = v
        }
        if let partSize {
            guard let parsed = NumberFormatting.parseSize(partSize), case let v = Int64(parsed), v >= 5 << 20, v <= 5 << 30 else {
                throw ValidationError("invalid --part-size \"\(partSize)\" (5M to 5G)")
            }
            options.partSize = v
        }
        if let multipartCopyThreshold {
            guard let parsed = NumberFormatting.parseSize(multipartCopyThreshold), case let v = Int64(parsed), v >= 5 << 20,
                  v <= S3Client.maximumCopyObjectSize else {
                throw ValidationError("invalid --multipart-copy-threshold \"\(multipartCopyThreshold)\" (5M to 5G)")
            }
            options.multipartCopyThreshold = v
        }
        if let partChecksum {
            switch partChecksum.lowercased() {
            case "crc32": options.partChecksumCRC32 = true
            case "none": options.partChecksumCRC32 = false
            default: throw ValidationError("invalid --part-checksum \"\(partChecksum)\" (CRC32 or none)")
            }
        }
        guard (1...1024).contains(concurrency) else { throw ValidationError("--s3-concurrency must be between 1 and 1024") }
        guard (0...100).contains(retries) else { throw ValidationError("--retries must be between 0 and 100") }
        options.concurrency = concurrency
        if let sse, sse != "AES256" && sse != "aws:kms" { throw ValidationError("invalid --sse \"\(sse)\" (AES256 or aws:kms)") }
        if sseKMSKeyID != nil && sse != "aws:kms" { throw ValidationError("--sse-kms-key-id needs --sse aws:kms") }
        options.put.storageClass = storageClass
        options.put.serverSideEncryption = sse
        options.put.kmsKeyID = sseKMSKeyID
        options.put.acl = acl
        for item in metadata {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else { throw ValidationError("invalid --metadata \"\(item)\" (KEY=VALUE)") }
            options.put.metadata.append((String(item[..<eq]), String(item[item.index(after: eq)...])))
        }
        return options
    }

    /// A client for the endpoint, region and credentials these flags (and the environment) give.
    func makeClient(logger: Logger, showsErrorBodies: Bool) async throws -> S3Client {
        try await connection.makeClient(logger: logger, concurrency: concurrency, showsErrorBodies: showsErrorBodies)
    }
}
