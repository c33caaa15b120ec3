import AWSCore

/// A failed S3 request: which operation on which object, the HTTP status and S3's error code
/// and message (or the transport error). Never holds credentials.
public struct S3Error: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let bucket: String
    public let key: String?
    public let status: Int?
    public let code: String?
    public let message: String

    public init(operation: String, bucket: String, key: String?, status: Int?, code: String?, message: String) {
        self.operation = operation
        self.bucket = bucket
        self.key = key
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String {
        let target = "s3://\(bucket)/\(key ?? "")"
        let what = [status.map { "HTTP \($0)" }, code].compactMap { $0 }.joined(separator: " ")
        return "\(operation) \(target) failed: " + (what.isEmpty ? message : "\(what): \(message)")
    }

    /// Whether the object (or bucket) is simply not there.
    public var isNotFound: Bool { status == 404 || code == "NoSuchKey" || code == "NoSuchBucket" }
}
