import ArgumentParser
import AWSCore
import S3
import SwiftsyncCLI
import SyncCore
#if canImport(Glibc)
import Glibc
#endif

/// Runs a sync to S3 and returns rsync's exit code; every setup problem is one line on stderr.
@Sendable func runS3(paths: [String], s3: S3Arguments, options: SyncOptions, reporter: SyncReporter) async -> (SyncCore.ExitCode, Double) {
        let started = BandwidthLimiter.now()
        func fail(_ message: String, _ code: SyncCore.ExitCode) -> (SyncCore.ExitCode, Double) {
            OutputSink.standardError.line("swiftsync: \(message)")
            return (code, BandwidthLimiter.now() - started)
        }
        let sources = paths.dropLast()
        guard let destination = S3URL(paths.last!) else {
            return fail("copying from S3 (\(sources.first { $0.hasPrefix("s3://") } ?? "")) is not supported yet: only local → s3://bucket/prefix", .usage)
        }
        guard sources.count == 1, let source = sources.first, !source.hasPrefix("s3://") else {
            return fail("a sync to S3 takes one local source directory or file", .usage)
        }
        let transfer: S3TransferOptions
        do { transfer = try s3.transferOptions() } catch { return fail("\(error)", .usage) }
        let client: S3Client
        do { client = try await s3.connection.makeClient() } catch { return fail("\(error)", .usage) }
        let code = await S3Upload(client: client, options: options, transfer: transfer, reporter: reporter)
            .run(source: source, destination: destination)
        await client.shutdown()
        return (code, BandwidthLimiter.now() - started)
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
        guard (1...1024).contains(concurrency) else { throw ValidationError("--s3-concurrency must be between 1 and 1024") }
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
}
