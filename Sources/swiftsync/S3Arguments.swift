import ArgumentParser
import AWSCore
import S3
import SyncCore

/// The options of a sync whose source or destination is `s3://bucket/prefix`.
struct S3Arguments: ParsableArguments {
    @Option(name: .customLong("endpoint-url"), help: ArgumentHelp("S3 endpoint (e.g. http://127.0.0.1:5000).", valueName: "URL")) var endpointURL: String?
    @Option(help: ArgumentHelp("AWS region (default: AWS_REGION, the profile's, else us-east-1).", valueName: "REGION")) var region: String?
    @Option(help: ArgumentHelp("Profile in ~/.aws/credentials and ~/.aws/config.", valueName: "NAME")) var profile: String?
    @Option(name: .customLong("access-key"), help: ArgumentHelp("AWS access key id.", valueName: "KEY")) var accessKey: String?
    @Option(name: .customLong("secret-key"), help: ArgumentHelp("AWS secret access key.", valueName: "SECRET")) var secretKey: String?
    @Option(name: .customLong("multipart-threshold"), help: ArgumentHelp("Multipart upload from this size (default 8M).", valueName: "SIZE")) var multipartThreshold: String?
    @Option(name: .customLong("part-size"), help: ArgumentHelp("Multipart part size (default 8M, grown to ≤ 10,000 parts).", valueName: "SIZE")) var partSize: String?
    @Option(name: .customLong("s3-concurrency"), help: ArgumentHelp("S3 requests in flight (default 16).", valueName: "N")) var concurrency: Int = 16
    @Option(name: .customLong("storage-class"), help: ArgumentHelp("STANDARD, STANDARD_IA, GLACIER, DEEP_ARCHIVE...", valueName: "CLASS")) var storageClass: String?
    @Option(help: ArgumentHelp("Server-side encryption: AES256 or aws:kms.", valueName: "ALGORITHM")) var sse: String?
    @Option(name: .customLong("sse-kms-key-id"), help: ArgumentHelp("KMS key for --sse aws:kms.", valueName: "ID")) var sseKMSKeyID: String?
    @Option(help: ArgumentHelp("Canned ACL for uploads (private, bucket-owner-full-control...).", valueName: "ACL")) var acl: String?
    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("User metadata for uploads (repeatable).", valueName: "KEY=VALUE")) var metadata: [String] = []
    @Option(help: ArgumentHelp("Retries per S3 request (default 5).", valueName: "N")) var retries: Int = 5

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

    /// The credential chain with these flags.
    var chain: CredentialChain { CredentialChain(accessKey: accessKey, secretKey: secretKey, profile: profile, region: region) }
}
