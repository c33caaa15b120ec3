import ArgumentParser
import SyncCore

/// Where S3 is and who we are to it: the options of every S3 command.
public struct S3ConnectionArguments: ParsableArguments {
    @Option(name: .customLong("endpoint-url"), help: ArgumentHelp("S3 endpoint (e.g. http://127.0.0.1:5000).", valueName: "URL")) public var endpointURL: String?
    @Option(help: ArgumentHelp("AWS region (default: AWS_REGION, the profile's, else us-east-1).", valueName: "REGION")) public var region: String?
    @Option(help: ArgumentHelp("Profile in ~/.aws/credentials and ~/.aws/config.", valueName: "NAME")) public var profile: String?
    @Option(name: .customLong("access-key"), help: ArgumentHelp("AWS access key id.", valueName: "KEY")) public var accessKey: String?
    @Option(name: .customLong("secret-key"), help: ArgumentHelp("AWS secret access key.", valueName: "SECRET")) public var secretKey: String?
    @Option(help: ArgumentHelp("Retries per S3 request (default 5).", valueName: "N")) public var retries: Int = 5

    public init() {}
}

/// The options of a sync whose source or destination is `s3://bucket/prefix`.
public struct S3Arguments: ParsableArguments {
    @OptionGroup public var connection: S3ConnectionArguments
    @Option(name: .customLong("multipart-threshold"), help: ArgumentHelp("Multipart upload from this size (default 8M).", valueName: "SIZE")) public var multipartThreshold: String?
    @Option(name: .customLong("part-size"), help: ArgumentHelp("Multipart part size (default 8M, grown to ≤ 10,000 parts).", valueName: "SIZE")) public var partSize: String?
    @Option(name: .customLong("multipart-copy-threshold"), help: ArgumentHelp("S3→S3: UploadPartCopy from this size (default 5G, the most one CopyObject takes).", valueName: "SIZE")) public var multipartCopyThreshold: String?
    @Option(name: .customLong("part-checksum"), help: ArgumentHelp("Checksum every multipart part carries for S3 to check: CRC32 (default), or none for S3-compatible servers that reject it.", valueName: "CRC32|none")) public var partChecksum: String?
    @Option(name: .customLong("s3-concurrency"), help: ArgumentHelp("S3 requests in flight (default 16).", valueName: "N")) public var concurrency: Int = 16
    @Option(name: .customLong("storage-class"), help: ArgumentHelp("STANDARD, STANDARD_IA, GLACIER, DEEP_ARCHIVE...", valueName: "CLASS")) public var storageClass: String?
    @Option(help: ArgumentHelp("Server-side encryption: AES256 or aws:kms.", valueName: "ALGORITHM")) public var sse: String?
    @Option(name: .customLong("sse-kms-key-id"), help: ArgumentHelp("KMS key for --sse aws:kms.", valueName: "ID")) public var sseKMSKeyID: String?
    @Option(help: ArgumentHelp("Canned ACL for uploads (private, bucket-owner-full-control...).", valueName: "ACL")) public var acl: String?
    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("User metadata for uploads (repeatable).", valueName: "KEY=VALUE")) public var metadata: [String] = []

    public init() {}

    public var endpointURL: String? { connection.endpointURL }
    public var region: String? { connection.region }
    public var profile: String? { connection.profile }
    public var accessKey: String? { connection.accessKey }
    public var secretKey: String? { connection.secretKey }
    public var retries: Int { connection.retries }
}
