import AWSCore
import S3
import SyncCore
#if canImport(Glibc)
import Glibc
#endif

extension SyncCommand {
    /// Whether this run involves S3 (a source or the destination is `s3://…`).
    var involvesS3: Bool { paths.contains { $0.hasPrefix("s3://") } }

    /// Runs a sync to S3 and returns rsync's exit code; every setup problem is one line on stderr.
    func runS3(options: SyncOptions, reporter: SyncReporter) async -> (SyncCore.ExitCode, Double) {
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
        let chain = s3.chain
        let credentials: AWSCredentials
        do { credentials = try await chain.resolve() } catch { return fail("\(error)", .usage) }
        let endpoint: S3Endpoint
        do { endpoint = try S3Endpoint(region: chain.region ?? "us-east-1", endpointURL: s3.endpointURL) } catch { return fail("\(error)", .usage) }
        let client = S3Client(endpoint: endpoint, credentials: credentials, retry: RetryPolicy(retries: s3.retries))
        let code = await S3Upload(client: client, options: options, transfer: transfer, reporter: reporter)
            .run(source: source, destination: destination)
        await client.shutdown()
        return (code, BandwidthLimiter.now() - started)
    }
}
