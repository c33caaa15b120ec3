import ArgumentParser
import AWSCore
import Logging
import S3
import SwiftsyncCLI
import SyncCore

extension S3ConnectionArguments {
    /// A client for these options: credentials resolved through the chain, endpoint and
    /// retries checked. Every failure is one line naming what is wrong (never a secret).
    func makeClient(logger: Logger = Logger(label: "swiftsync.s3", factory: { _ in SwiftLogNoOpLogHandler() }),
                    concurrency: Int = 16, showsErrorBodies: Bool = false) async throws -> S3Client {
        guard (0...100).contains(retries) else { throw ValidationError("--retries must be between 0 and 100") }
        let chain = CredentialChain(accessKey: accessKey, secretKey: secretKey, profile: profile, region: region)
        let credentials = try await chain.resolve()
        let endpoint = try S3Endpoint(region: chain.region ?? "us-east-1", endpointURL: endpointURL)
        return S3Client(endpoint: endpoint, credentials: credentials, retry: RetryPolicy(retries: retries), concurrency: concurrency,
                        showsErrorBodies: showsErrorBodies, logger: logger)
    }
}

extension S3Error {
    /// rsync's codes, as for uploads: 10 when S3 did not answer, 11 when it refused.
    var exitCode: SyncCore.ExitCode { status == nil ? .socketIO : .fileIO }
}
